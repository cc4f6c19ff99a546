import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChangeEvent } from '../../schemas/events';
import type { RunError, SyncRun } from '../../schemas/sync';
import type { Clock } from '../core/clock';
import { NotFoundError } from '../core/errors';
import { buildEvent, type EventContext } from '../domain/change-events';
import {
  type FollowUp,
  FollowUpChangedError,
  IntegrationDeletingError,
  LeaseLostError,
  MirrorConflictError,
  type RunRef,
  type SyncTarget,
} from '../domain/sync-runs';
import type { RunLeases, RunRecords, WorkflowPort } from '../ports/sync-state';
import type { SyncRequest } from '../ports/syncs';
import { mergeFollowUp } from './targets';
import { isInterruption } from './workflow-errors';

/** Each round of a burst lets at least one writer through, so a burst of n needs about n rounds. */
const BEGIN_ATTEMPTS = 60;
/** A burst of requests may change the follow-up while a run ends this many times, at most. */
const FINISH_ATTEMPTS = 10;

export interface RunLifecycleDeps {
  readonly state: RunLeases & Pick<RunRecords, 'run'>;
  readonly workflow: Pick<WorkflowPort, 'start'>;
  /** A run holds its integration's lease this long past its last step. */
  readonly leaseMs: number;
  readonly clock: Clock;
}

/** What a run's end writes beside its record: the integration's status and the summary event. */
export interface Ending {
  readonly run: SyncRun;
  readonly status: SyncTarget['status'];
  readonly lastError: RunError | null;
  readonly counts: SyncTarget['counts'];
  /** Set when the run read every tag: when it started (epoch ms). */
  readonly tagsReadAt?: number;
  readonly summary: (ctx: EventContext, sequence: number) => ChangeEvent;
}

export function eventContext(target: SyncTarget, ref: RunRef): EventContext {
  return {
    tenantId: target.tenantId,
    scope: target.integration.scope,
    integrationId: target.integration.id,
    syncRunId: ref.runId,
    correlationId: ref.correlationId,
  };
}

/**
 * The run: who holds an integration's lease, how requests made while a run holds it fold into
 * one follow-up run, and how a run ends (its status, events, and the follow-up that inherits
 * the lease).
 */
export function makeRunLifecycle(deps: RunLifecycleDeps) {
  const { state, workflow, leaseMs, clock } = deps;
  const iso = () => new Date(clock.now()).toISOString();
  const lease = () => {
    const now = clock.now();
    return { now, leaseExpiresAt: now + leaseMs };
  };

  function newRun(
    integrationId: string,
    { trigger, confirmDeletions, targets }: Omit<FollowUp, 'correlationId'>,
  ): SyncRun {
    const startedAt = iso();
    return {
      // Sortable to the millisecond, so an integration's runs list newest first even when one
      // starts in the same second as the previous one ended.
      id: `${startedAt.replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`,
      integrationId,
      trigger,
      status: 'running',
      confirmDeletions,
      targets,
      startedAt,
      finishedAt: null,
      progress: {
        foldersSeen: 0,
        accountsSeen: 0,
        organizationsCalls: 0,
        organizationsThrottles: 0,
        steps: 0,
      },
      counts: { created: 0, updated: 0, deleted: 0, heldDeletions: 0 },
      error: null,
    };
  }

  async function leasedTarget(ref: RunRef): Promise<SyncTarget> {
    const target = await state.target(ref.tenantId, ref.integrationId);
    if (!target || target.activeRunId !== ref.runId) throw new LeaseLostError(ref.runId);
    return target;
  }

  /**
   * Takes the lease for `run`, or folds the request into the follow-up of the run that holds it.
   * Writers that lose a race read again and retry after a short random wait.
   */
  async function begin(request: SyncRequest, run: SyncRun): Promise<string | null> {
    const asked: FollowUp = {
      trigger: run.trigger,
      confirmDeletions: run.confirmDeletions,
      targets: run.targets,
      correlationId: request.correlationId,
    };
    for (let attempt = 0; attempt < BEGIN_ATTEMPTS; attempt += 1) {
      // Real time, not the injected clock: this spreads writers racing in the table.
      if (attempt > 0) await sleep(Math.random() * Math.min(1_000, 25 * 2 ** attempt));
      if (await state.takeLease(request, run, lease())) return null;
      const current = await state.target(request.tenantId, request.integrationId);
      if (!current) throw new NotFoundError('The integration');
      if (current.deleting) throw new IntegrationDeletingError();
      const next = mergeFollowUp(current.followUp, asked);
      const holder = await state.setFollowUp(request, { seen: current.followUp, next, now: clock.now() });
      if (holder !== null) return holder;
      // The running sync ended, or another request changed the follow-up, in between: again.
    }
    throw new MirrorConflictError();
  }

  /** Ends a run: its record, the integration's status, the events, the lease, a follow-up. */
  async function finish(ref: RunRef, ending: Ending): Promise<{ next: RunRef | null }> {
    for (let attempt = 1; ; attempt += 1) {
      const target = await leasedTarget(ref);
      const ctx = eventContext(target, ref);
      const previousStatus = target.status;
      const { followUp } = target;
      const nextRun = followUp ? newRun(ref.integrationId, followUp) : null;
      const next: RunRef | null = nextRun && {
        ...ref,
        runId: nextRun.id,
        correlationId: followUp?.correlationId ?? nextRun.id,
      };
      try {
        await state.finish(ref, {
          run: ending.run,
          status: ending.status,
          lastError: ending.lastError,
          counts: ending.counts,
          tagsReadAt: ending.tagsReadAt,
          events: (first) => [
            ending.summary(ctx, first),
            ...(previousStatus === ending.status
              ? []
              : [
                  buildEvent('Integration Status Changed', ctx, first + 1, {
                    status: ending.status,
                    previousStatus,
                    error: ending.lastError,
                  }),
                ]),
          ],
          lastSequence: target.eventSequence,
          followUpSeen: target.followUp,
          nextRun,
          leaseExpiresAt: clock.now() + leaseMs,
        });
        return { next };
      } catch (error: unknown) {
        if (!(error instanceof FollowUpChangedError) || attempt >= FINISH_ATTEMPTS) throw error;
      }
    }
  }

  /** The workflow caught an error: the run ends partial or failed, having deleted nothing. */
  async function fail(ref: RunRef, error: RunError): Promise<{ next: RunRef | null }> {
    const target = await state.target(ref.tenantId, ref.integrationId);
    if (!target || target.activeRunId !== ref.runId) return { next: null };
    const stored = await state.run(ref);
    const base =
      stored?.run ?? newRun(ref.integrationId, { trigger: 'manual', confirmDeletions: false, targets: null });
    const run: SyncRun = {
      ...base,
      status: isInterruption(error.code) ? 'partial' : 'failed',
      finishedAt: iso(),
      error,
    };
    return finish(ref, {
      run,
      // A deletion that failed stays a deletion: DELETE again goes on where it stopped.
      status: target.deleting ? 'deleting' : 'error',
      lastError: error,
      counts: target.counts,
      summary: (ctx, sequence) =>
        buildEvent('Sync Failed', ctx, sequence, { status: run.status, counts: run.counts, error }),
    });
  }

  return {
    newRun,
    leasedTarget,
    finish,
    fail,

    /**
     * Starts a sync of the integration, or folds the request into a follow-up of the running
     * one (a burst of requests becomes one more run, not many).
     */
    async requestSync(request: SyncRequest): Promise<{ runId: string; coalesced: boolean }> {
      const run = newRun(request.integrationId, {
        trigger: request.trigger,
        confirmDeletions: request.confirmDeletions,
        targets: request.targets ?? null,
      });
      const holder = await begin(request, run);
      if (holder !== null) return { runId: holder, coalesced: true };
      const ref: RunRef = {
        tenantId: request.tenantId,
        integrationId: request.integrationId,
        runId: run.id,
        correlationId: request.correlationId,
      };
      try {
        await workflow.start(ref);
      } catch (error: unknown) {
        // The lease must not outlive a workflow that never started.
        await fail(ref, {
          code: 'UPSTREAM_UNAVAILABLE',
          message: 'The sync workflow did not start.',
          hint: null,
        });
        throw error;
      }
      return { runId: run.id, coalesced: false };
    },

    /**
     * Accepts a DELETE: the integration stops syncing at once, and a deletion run (through the
     * same workflow, so it resumes and retries like a sync) removes its folders and connections
     * with their events, then the integration. Asking again while that run lives returns it.
     */
    async requestDeletion(target: Omit<RunRef, 'runId'>): Promise<{ runId: string; coalesced: boolean }> {
      const run = newRun(target.integrationId, { trigger: 'delete', confirmDeletions: true, targets: null });
      if (!(await state.takeDeletionLease(target, run, lease()))) {
        const current = await state.target(target.tenantId, target.integrationId);
        if (!current) throw new NotFoundError('The integration');
        if (current.deleting && current.activeRunId !== null) {
          return { runId: current.activeRunId, coalesced: true };
        }
        throw new MirrorConflictError();
      }
      // If this fails, the integration stays `deleting` with its lease, and DELETE again takes over.
      await workflow.start({ ...target, runId: run.id });
      return { runId: run.id, coalesced: false };
    },
  };
}

export type RunLifecycle = ReturnType<typeof makeRunLifecycle>;
