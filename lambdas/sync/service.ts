import type { RunError, SyncRun } from '../../schemas/sync';
import { type Clock, systemClock } from '../core/clock';
import {
  DEFAULT_MEMBER_CHECK_INTERVAL_MS,
  type MemberCheckRequest,
  memberCheckAfter,
} from '../domain/member-check-cadence';
import type { RoleArnRules } from '../domain/role-arn';
import type { RunRef } from '../domain/sync-runs';
import type { CustomerRolesPort } from '../ports/customer-roles';
import type { MirrorStore, SyncStateStore, WorkflowPort } from '../ports/sync-state';
import { makeCompletion } from './completion';
import { makeDeletionRun } from './deletion';
import { makeRunLifecycle } from './run';
import { makeSyncSteps } from './steps';

export interface SyncSettings {
  /** The share of the customer's Organizations rate limits we use. @default 0.5 */
  readonly rateFraction: number;
  /** Containers listed at once. */
  readonly concurrency: number;
  /** A complete run that would delete more than this share of the connections waits for review… */
  readonly deletionShare: number;
  /** …when it would also delete more than this many. */
  readonly deletionMinimum: number;
  /** A run holds its integration's lease this long past its last step. */
  readonly leaseMs: number;
  /** A step stops starting work this long before its invocation must end. */
  readonly stepMarginMs: number;
  /** Every member role is checked at least this often, and after a no-op re-sync no sooner. */
  readonly memberCheckIntervalMs: number;
  readonly roleRules: RoleArnRules;
}

export const DEFAULT_SYNC_SETTINGS: Omit<SyncSettings, 'roleRules'> = {
  rateFraction: 0.5,
  concurrency: 4,
  deletionShare: 0.5,
  deletionMinimum: 5,
  leaseMs: 30 * 60 * 1000,
  stepMarginMs: 60 * 1000,
  memberCheckIntervalMs: DEFAULT_MEMBER_CHECK_INTERVAL_MS,
};

export interface SyncDeps {
  readonly state: SyncStateStore;
  readonly mirror: MirrorStore;
  readonly roles: CustomerRolesPort;
  readonly workflow: Pick<WorkflowPort, 'start'>;
  readonly settings: SyncSettings;
  readonly clock?: Clock;
  readonly random?: () => number;
}

/**
 * The sync engine. It only wires its parts: the run (lease, follow-up, outcome), the steps that
 * walk the organization or read the account, the completion of a walk, and the deletion run.
 * The mirror writer under them writes each change with its numbered event.
 */
export function makeSyncService(deps: SyncDeps) {
  const { state, mirror, settings } = deps;
  const clock = deps.clock ?? systemClock;
  const runs = makeRunLifecycle({ state, workflow: deps.workflow, leaseMs: settings.leaseMs, clock });
  const steps = makeSyncSteps({
    ...settings,
    mirror,
    records: state,
    roles: deps.roles,
    roleRules: settings.roleRules,
    clock,
    random: deps.random,
  });
  const deletion = makeDeletionRun({ ...settings, mirror, state, clock });
  const complete = makeCompletion({ ...settings, mirror, runs, clock });

  return {
    requestSync: runs.requestSync,
    requestDeletion: runs.requestDeletion,

    /** One resumable step: walks and reconciles until done or `deadline` (epoch ms). */
    async step(ref: RunRef, deadline: number): Promise<{ done: boolean }> {
      const target = await runs.leasedTarget(ref);
      const stored = await state.run(ref);
      if (stored?.run.status !== 'running') return { done: true };
      if (stored.run.trigger === 'delete') return deletion.step(ref, target, stored, deadline);
      return steps.step(ref, target, stored, deadline);
    },

    /**
     * After a complete walk: ends the run. Returns the follow-up run to go on with, if one was
     * asked for, and when nothing follows it, which member roles a check should look at
     * (`memberCheckAfter`): all of them when the last check is an interval old or a
     * whole-organization run changed something; the new ones and the accounts targeted runs
     * named (moved, or whose regions changed); none (null) otherwise. An account that joined is
     * thus checked, and waits for its role's deployment, at once. `run` is the sync run as it
     * ended, for the metrics; null when this call ended none.
     */
    async finalize(ref: RunRef): Promise<{
      next: RunRef | null;
      check: MemberCheckRequest | null;
      run: SyncRun | null;
    }> {
      const none = { check: null };
      const target = await runs.leasedTarget(ref);
      const stored = await state.run(ref);
      if (stored?.run.status !== 'running') return { next: null, ...none, run: null };
      if (stored.run.trigger === 'delete') {
        return { ...(await deletion.finish(ref, target, stored)), ...none, run: null };
      }
      const { next, run } = await complete(ref, target, stored);
      if (next !== null) return { next, ...none, run };
      const lastCheck = target.memberAccess;
      const ended = lastCheck === null ? [] : await runsEndedSince(ref, lastCheck.checkedAt);
      const runsSinceCheck = [run ?? stored.run, ...ended.filter((other) => other.id !== ref.runId)];
      const check = memberCheckAfter(runsSinceCheck, lastCheck, clock.now(), settings.memberCheckIntervalMs);
      return { next, check, run };
    },

    fail: (ref: RunRef, error: RunError) => runs.fail(ref, error),
  };

  /**
   * The integration's runs that ended after `since` (when the last complete check started),
   * newest first. A run that ended at that very moment is the one that set the check off, which
   * saw what it changed. Runs of an integration follow one another, so the first that ended
   * before it ends the list; a long chain is cut at `RUNS_READ_SINCE_CHECK`: a creation beyond
   * it is checked when the next check falls due.
   */
  async function runsEndedSince(ref: RunRef, since: string): Promise<SyncRun[]> {
    const found: SyncRun[] = [];
    let cursor: string | undefined;
    do {
      const page = await state.listRuns(ref.tenantId, ref.integrationId, {
        limit: RUNS_READ_SINCE_CHECK,
        ...(cursor === undefined ? {} : { cursor }),
      });
      for (const run of page.items) {
        if (run.finishedAt !== null && run.finishedAt <= since) return found;
        found.push(run);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && found.length < RUNS_READ_SINCE_CHECK);
    return found;
  }
}

/** The most runs read to learn what changed since the last member check. */
const RUNS_READ_SINCE_CHECK = 25;

export type SyncService = ReturnType<typeof makeSyncService>;
