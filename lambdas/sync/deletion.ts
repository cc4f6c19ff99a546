import type { Clock } from '../core/clock';
import { buildEvent } from '../domain/change-events';
import { parseRoleArn, type RoleArnRules, roleIdentity } from '../domain/role-arn';
import type { RunRef, StoredRun, SyncTarget } from '../domain/sync-runs';
import type { MirrorStore, RunLeases, RunRecords } from '../ports/sync-state';
import { MirrorIndex } from './mirror-index';
import { CHANGES_PER_WRITE, mirrorWriter } from './mirror-writer';
import { eventContext } from './run';
import { emptyCheckpoint } from './walk-start';

export interface DeletionDeps {
  readonly mirror: MirrorStore;
  readonly state: Pick<RunLeases, 'removeIntegration'> & Pick<RunRecords, 'saveProgress'>;
  readonly roleRules: RoleArnRules;
  readonly stepMarginMs: number;
  readonly leaseMs: number;
  readonly clock: Clock;
}

/**
 * A deletion run: it removes the mirror a transaction at a time, each node with its event, then
 * the integration with its claims. It runs through the sync workflow, so it resumes and retries
 * as a sync does.
 */
export function makeDeletionRun(deps: DeletionDeps) {
  const { mirror, state, clock } = deps;

  return {
    async step(
      ref: RunRef,
      target: SyncTarget,
      stored: StoredRun,
      deadline: number,
    ): Promise<{ done: boolean }> {
      const counts = { ...stored.run.counts };
      const sequence = { last: target.eventSequence };
      const events = eventContext(target, ref);
      let done = false;
      while (!done && clock.now() < deadline - deps.stepMarginMs) {
        // Always the first page: what a page held is gone once it is written.
        const { items } = await mirror.page(ref.tenantId, ref.integrationId, { limit: CHANGES_PER_WRITE });
        const write = mirrorWriter(mirror, { ref, events }, new MirrorIndex([...items]), counts, sequence);
        await write(() => items.map((node) => ({ kind: 'delete', node })));
        done = items.length === 0;
      }
      await state.saveProgress(ref, {
        progress: { ...stored.run.progress, steps: stored.run.progress.steps + 1 },
        counts,
        // Nothing to resume from: each step reads what is left of the mirror.
        checkpoint: emptyCheckpoint(),
        leaseExpiresAt: clock.now() + deps.leaseMs,
      });
      return { done };
    },

    /** The end: the mirror is empty, so the integration and its claims go. */
    async finish(ref: RunRef, target: SyncTarget, stored: StoredRun): Promise<{ next: null }> {
      const left = await mirror.page(ref.tenantId, ref.integrationId, { limit: 1 });
      if (left.items.length > 0) throw new Error(`run ${ref.runId} left folders or connections behind`);
      const ctx = eventContext(target, ref);
      await state.removeIntegration(ref, {
        run: { ...stored.run, status: 'succeeded', finishedAt: new Date(clock.now()).toISOString() },
        integration: target.integration,
        roleIdentity: roleIdentity(parseRoleArn(target.integration.roleArn, deps.roleRules)),
        event: (sequence) =>
          buildEvent('Integration Deleted', ctx, sequence, { integration: target.integration }),
        lastSequence: target.eventSequence,
      });
      return { next: null };
    },
  };
}
