import type { SyncRun } from '../../schemas/sync';

/** How often every member role is checked when nothing changed. */
export const DEFAULT_MEMBER_CHECK_INTERVAL_MS = 24 * 3600 * 1000;

/** The last complete check of an integration's member roles; null before the first. */
type LastCheck = { readonly checkedAt: string } | null;

/**
 * Whether the runs that ended since the last complete check (the one that just ended among
 * them) set off a check of every member role:
 * - when one created connections, whose roles nobody checked yet;
 * - when a whole-organization run changed folders or connections (moves, states, roles);
 * - when the last complete check is an interval old, or there was none.
 * A no-op re-sync within the interval checks nothing: its roles were checked since. Runs that a
 * follow-up succeeded count too, since only the last run of a chain may start a check.
 */
export function checksMembersAfter(
  runs: readonly Pick<SyncRun, 'targets' | 'counts'>[],
  lastCheck: LastCheck,
  now: number,
  intervalMs: number,
): boolean {
  const changed = runs.some(
    ({ targets, counts }) => counts.created > 0 || (targets === null && counts.updated + counts.deleted > 0),
  );
  if (changed) return true;
  const dueAt = memberCheckDueAt(lastCheck, intervalMs);
  return dueAt === null || Date.parse(dueAt) <= now;
}

/** When the next full check falls due without any change; null: at the end of the next run. */
export function memberCheckDueAt(lastCheck: LastCheck, intervalMs: number): string | null {
  return lastCheck === null ? null : new Date(Date.parse(lastCheck.checkedAt) + intervalMs).toISOString();
}
