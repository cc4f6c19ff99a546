import { type Clock, systemClock } from '../core/clock';
import { logger } from '../core/logger';
import { nextDueTime } from '../domain/schedule';
import type { WorkflowPort } from '../ports/sync-state';
import type { SyncRequests } from '../ports/syncs';
import type { DueIntegration, ScheduleStore } from './ports';

export interface ScheduleSettings {
  /** How often each integration is re-synced. */
  readonly intervalMs: number;
  /** Syncs of any trigger that may run at once: a tick starts none beyond this. */
  readonly maxConcurrentSyncs: number;
}

export interface ScheduleDeps {
  readonly store: ScheduleStore;
  readonly syncs: Pick<SyncRequests, 'requestSync'>;
  readonly workflow: Pick<WorkflowPort, 'running'>;
  readonly settings: ScheduleSettings;
  readonly clock?: Clock;
}

/** What one tick did; the handler publishes it as metrics. */
export interface TickSummary {
  /** Syncs running when the tick began (counted up to the cap). */
  readonly running: number;
  /** Runs started. */
  readonly started: number;
  /** Due while a run was going on: folded into that run's follow-up. */
  readonly coalesced: number;
  /** Taken by an overlapping tick, or deleted, between the index read and the claim. */
  readonly skipped: number;
  /** Could not start; due again shortly. */
  readonly failed: number;
  /** Due integrations were left for the next tick: the cap or the deadline was reached. */
  readonly behind: boolean;
}

/** Due integrations read per index page, and started at once. */
const PAGE_SIZE = 100;
const PARALLEL_STARTS = 8;
/** A sync that did not start is due again after this (or one interval, if shorter). */
const FAILED_START_RETRY_MS = 5 * 60 * 1000;

/**
 * The schedule's fan-out. A tick reads the integrations due by now from the sparse
 * `by-schedule` index, earliest first, and starts their syncs, never letting more than
 * `maxConcurrentSyncs` run at once. Each start first moves the integration's due time to its
 * next phase, conditionally, so overlapping ticks never start one twice. What the cap or the
 * deadline leaves stays due for the next tick, so no tick has to finish everything.
 */
export function makeScheduler({ store, syncs, workflow, settings, clock = systemClock }: ScheduleDeps) {
  const iso = (ms: number) => new Date(ms).toISOString();

  return {
    /**
     * Starts due syncs until none is left, the cap is reached or `deadline` (epoch ms) passes.
     * The runs it starts carry `correlationId`, the tick's own.
     */
    async tick(deadline: number, correlationId: string): Promise<TickSummary> {
      const now = clock.now();
      const running = await workflow.running(settings.maxConcurrentSyncs);
      const counts = { started: 0, coalesced: 0, skipped: 0, failed: 0 };
      let budget = settings.maxConcurrentSyncs - running;

      async function start(item: DueIntegration): Promise<void> {
        const next = iso(nextDueTime(item.integrationId, now, settings.intervalMs));
        if (!(await store.reschedule(item, next))) {
          counts.skipped += 1;
          return;
        }
        const context = { tenantId: item.tenantId, integrationId: item.integrationId, dueAt: item.dueAt };
        try {
          const { runId, coalesced } = await syncs.requestSync({
            tenantId: item.tenantId,
            integrationId: item.integrationId,
            trigger: 'schedule',
            confirmDeletions: false,
            correlationId,
          });
          counts[coalesced ? 'coalesced' : 'started'] += 1;
          logger.info(coalesced ? 'scheduled sync folded into the running one' : 'scheduled sync started', {
            ...context,
            runId,
            nextDueAt: next,
          });
        } catch (error: unknown) {
          counts.failed += 1;
          // Later than now, so it does not hold up the integrations due behind it.
          const retryAt = iso(now + Math.min(FAILED_START_RETRY_MS, settings.intervalMs));
          const moved = await store.reschedule({ ...item, dueAt: next }, retryAt).catch(() => false);
          logger.error('scheduled sync did not start', {
            ...context,
            error,
            retryAt: moved ? retryAt : next,
          });
        }
      }

      let cursor: string | undefined;
      let behind = false;
      const after = () => (cursor === undefined ? {} : { cursor });
      for (;;) {
        if (budget <= 0 || clock.now() >= deadline) {
          // Whether anything is left for the next tick: one more key tells.
          behind = (await store.due(iso(now), { limit: 1, ...after() })).items.length > 0;
          break;
        }
        const page = await store.due(iso(now), { limit: Math.min(PAGE_SIZE, budget), ...after() });
        const queue = [...page.items];
        const skippedBefore = counts.skipped;
        await Promise.all(
          Array.from({ length: Math.min(PARALLEL_STARTS, queue.length) }, async () => {
            for (let item = queue.shift(); item; item = queue.shift()) await start(item);
          }),
        );
        budget -= page.items.length - (counts.skipped - skippedBefore);
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }

      const summary = { running, ...counts, behind };
      logger.info('schedule tick done', { ...summary, maxConcurrentSyncs: settings.maxConcurrentSyncs });
      return summary;
    },
  };
}

export type Scheduler = ReturnType<typeof makeScheduler>;
