import { shareOf } from '../lambdas/core/token-bucket';
import { ORGANIZATIONS_LIMITS, type OrganizationsApi } from '../lambdas/domain/organizations-limits';

export interface BoundModel {
  /** Our share of each published limit, as the engine is configured. */
  readonly rateFraction: number;
  /** One Organizations round trip. */
  readonly latencyMs: number;
  /** How deep OUs nest: each level must be listed before the one below it is known. */
  readonly depth: number;
}

/**
 * The shortest time any client could list the organization in with those token buckets: the
 * busiest API needs `(calls − burst) / rate` seconds after its first call, and its first call
 * waits for ListRoots' answer, its last answer for one more round trip. Nor can it beat one
 * round trip for ListRoots and one per level: the root's listing, then `depth` levels of OUs.
 */
export function rateLimitBoundSeconds(
  calls: Partial<Record<OrganizationsApi, number>>,
  { rateFraction, latencyMs, depth }: BoundModel,
): number {
  const roundTrip = latencyMs / 1000;
  let busiest = 0;
  for (const [api, count = 0] of Object.entries(calls) as [OrganizationsApi, number | undefined][]) {
    const { rate, burst } = shareOf(ORGANIZATIONS_LIMITS[api], rateFraction);
    busiest = Math.max(busiest, Math.max(0, count - burst) / rate);
  }
  return Math.max(busiest + 2 * roundTrip, (depth + 2) * roundTrip);
}
