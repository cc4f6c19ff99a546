/**
 * Sync runs that ended failed, counted with the dimension `code` (the run's error code): an
 * `INTERNAL_ERROR` is ours, any other is the customer's role or organization.
 */
export const SYNC_RUNS_FAILED_METRIC = 'SyncRunsFailed';

/** What the sync workflow's function counts. */
export interface SyncMetrics {
  runFailed(code: string): void;
}
