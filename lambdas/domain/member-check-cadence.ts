import type { SyncRun } from '../../schemas/sync';

/** How often every member role is checked when nothing changed. */
export const DEFAULT_MEMBER_CHECK_INTERVAL_MS = 24 * 3600 * 1000;

/** The last complete check of an integration's member roles; null before the first. */
type LastCheck = { readonly checkedAt: string } | null;

/**
 * Which member roles a check after a run looks at: `all` of them, only the `unchecked` ones
 * (connections that have no health record yet: the ones just created), or none (null).
 */
export type MemberCheckScope = 'all' | 'unchecked';

/**
 * What the runs that ended since the last complete check (the one that just ended among them)
 * set off:
 * - every member role when the last complete check is an interval old, or there was none, or
 *   when a whole-organization run changed folders or connections (moves, states, roles);
 * - only the new connections' roles when targeted runs created some: their roles are the only
 *   ones nobody checked;
 * - nothing otherwise. A no-op re-sync within the interval checks nothing: its roles were
 *   checked since.
 * Runs that a follow-up succeeded count too, since only the last run of a chain may start a check.
 */
export function memberCheckAfter(
  runs: readonly Pick<SyncRun, 'targets' | 'counts'>[],
  lastCheck: LastCheck,
  now: number,
  intervalMs: number,
): MemberCheckScope | null {
  const dueAt = memberCheckDueAt(lastCheck, intervalMs);
  if (dueAt === null || Date.parse(dueAt) <= now) return 'all';
  const wholeChanged = runs.some(
    ({ targets, counts }) => targets === null && counts.created + counts.updated + counts.deleted > 0,
  );
  if (wholeChanged) return 'all';
  return runs.some(({ counts }) => counts.created > 0) ? 'unchecked' : null;
}

/** When the next full check falls due without any change; null: at the end of the next run. */
export function memberCheckDueAt(lastCheck: LastCheck, intervalMs: number): string | null {
  return lastCheck === null ? null : new Date(Date.parse(lastCheck.checkedAt) + intervalMs).toISOString();
}
