import type { SyncRun } from '../../schemas/sync';

/**
 * Sync runs that ended failed, counted with the dimension `code` (the run's error code): an
 * `INTERNAL_ERROR` is ours, any other is the customer's role or organization.
 */
export const SYNC_RUNS_FAILED_METRIC = 'SyncRunsFailed';

/** A complete run's figures, each with the dimension `trigger` (initial, schedule, event, …). */
export const SYNC_RUN_METRICS = {
  duration: 'SyncDuration',
  organizationsCalls: 'SyncOrganizationsCalls',
  changes: 'SyncChanges',
} as const;

/** What the sync workflow's function counts. */
export interface SyncMetrics {
  runFailed(code: string): void;
  /** A run that walked to its end: how long it took, what it asked, what it changed. */
  runCompleted(run: SyncRun): void;
}
