import type { SyncRun } from '../../schemas/sync';

/** How often every member role is checked when nothing changed. */
export const DEFAULT_MEMBER_CHECK_INTERVAL_MS = 24 * 3600 * 1000;

/** The last complete check of an integration's member roles; null before the first. */
type LastCheck = { readonly checkedAt: string } | null;

/**
 * Which member roles a check looks at: `all` of them (a complete check), or only some
 * (`targeted`): the connections that have no health record yet (the ones just created) and
 * those of `accounts`.
 */
export type MemberCheckScope = 'all' | 'targeted';

export interface MemberCheckRequest {
  readonly scope: MemberCheckScope;
  /** For a targeted check: accounts to check again, whose regions changed or which moved. */
  readonly accounts: readonly string[];
}

/** A complete check. */
export const CHECK_ALL: MemberCheckRequest = { scope: 'all', accounts: [] };

/** The accounts a targeted check looks at again, at most: as many as a run's targets. */
export const MAX_ACCOUNTS_CHECKED_AGAIN = 100;

/**
 * What the runs that ended since the last complete check (the one that just ended among them)
 * set off:
 * - every member role when the last complete check is an interval old, or there was none, or
 *   when a whole-organization run changed folders or connections (moves, states, roles);
 * - a targeted check when targeted runs created connections, named accounts whose regions
 *   changed, or updated accounts they named (a move may take an account out of its role's
 *   StackSet): the new connections' roles, which nobody checked, and those accounts';
 * - nothing otherwise. A no-op re-sync within the interval checks nothing: its roles were
 *   checked since.
 * Runs that a follow-up succeeded count too, since only the last run of a chain may start a
 * check. So may runs whose own targeted check has run: their accounts are checked again, a few
 * calls each, until the next complete check.
 */
export function memberCheckAfter(
  runs: readonly Pick<SyncRun, 'targets' | 'counts'>[],
  lastCheck: LastCheck,
  now: number,
  intervalMs: number,
): MemberCheckRequest | null {
  const dueAt = memberCheckDueAt(lastCheck, intervalMs);
  if (dueAt === null || Date.parse(dueAt) <= now) return CHECK_ALL;
  const wholeChanged = runs.some(
    ({ targets, counts }) => targets === null && counts.created + counts.updated + counts.deleted > 0,
  );
  if (wholeChanged) return CHECK_ALL;
  const accounts = new Set(
    runs.flatMap(({ targets, counts }) =>
      targets === null ? [] : [...targets.regionsChanged, ...(counts.updated > 0 ? targets.accounts : [])],
    ),
  );
  const created = runs.some(({ counts }) => counts.created > 0);
  if (!created && accounts.size === 0) return null;
  return { scope: 'targeted', accounts: [...accounts].slice(0, MAX_ACCOUNTS_CHECKED_AGAIN) };
}

/** When the next full check falls due without any change; null: at the end of the next run. */
export function memberCheckDueAt(lastCheck: LastCheck, intervalMs: number): string | null {
  return lastCheck === null ? null : new Date(Date.parse(lastCheck.checkedAt) + intervalMs).toISOString();
}
