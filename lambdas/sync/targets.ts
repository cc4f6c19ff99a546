import type { SyncTargets } from '../../schemas/sync';
import type { FollowUp } from '../domain/sync-runs';

/**
 * Past this many targets a full walk costs about as much as the targeted calls and proves
 * more, so the targets give way to it.
 */
export const MAX_TARGETS = 100;

/** The union of two target sets; null (the whole organization) absorbs everything. */
export function mergeTargets(a: SyncTargets | null, b: SyncTargets | null): SyncTargets | null {
  if (a === null || b === null) return null;
  const merged = {
    containers: union(a.containers, b.containers),
    accounts: union(a.accounts, b.accounts),
    ous: union(a.ous, b.ous),
    tagged: union(a.tagged, b.tagged),
    regionsChanged: union(a.regionsChanged, b.regionsChanged),
  };
  const size = Object.values(merged).reduce((total, ids) => total + ids.length, 0);
  return size > MAX_TARGETS ? null : merged;
}

/** Folds a new request into the follow-up already asked for, so a burst becomes one run. */
export function mergeFollowUp(current: FollowUp | null, request: FollowUp): FollowUp {
  if (current === null) return request;
  return {
    trigger: request.trigger,
    confirmDeletions: current.confirmDeletions || request.confirmDeletions,
    targets: mergeTargets(current.targets, request.targets),
    correlationId: request.correlationId,
  };
}

function union<T>(a: readonly T[], b: readonly T[]): T[] {
  return [...new Set([...a, ...b])];
}
