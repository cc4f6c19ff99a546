import type { MemberAccessSummary, MemberHealth, SyncRun } from '../../schemas/sync';

/**
 * Sync runs that ended failed, counted with the dimension `code` (the run's error code): an
 * `INTERNAL_ERROR` is ours, any other is the customer's role or organization.
 */
export const SYNC_RUNS_FAILED_METRIC = 'SyncRunsFailed';

/** A complete run's figures, each with the dimension `trigger` (initial, schedule, event, …). */
export const SYNC_RUN_METRICS = {
  duration: 'SyncDuration',
  organizationsCalls: 'SyncOrganizationsCalls',
  /** Calls Organizations throttled: the customer's organization is busy, or we ask too fast. */
  organizationsThrottles: 'SyncOrganizationsThrottles',
  changes: 'SyncChanges',
} as const;

/** The member roles a finished check found in each state, with the dimension `status`. */
export const MEMBER_CHECK_METRIC = 'MemberRoles';

/** Each health status, and the summary count that holds it. */
export const MEMBER_STATUSES = {
  ok: 'ok',
  denied: 'denied',
  not_deployed: 'notDeployed',
  pending_deployment: 'pendingDeployment',
  error: 'error',
} as const satisfies Record<MemberHealth['status'], keyof MemberCheckCounts>;

type MemberCheckCounts = Omit<MemberAccessSummary, 'checkedAt' | 'stackSetReadable'>;

/** What the sync workflow's function counts. */
export interface SyncMetrics {
  runFailed(code: string): void;
  /** A member check that ended: how many roles it found in each state. */
  membersChecked(counts: MemberCheckCounts): void;
  /** A run that walked to its end: how long it took, what it asked, what it changed. */
  runCompleted(run: SyncRun): void;
}
