import type { RetryPolicy } from '../core/retry';
import type { RateLimit } from '../core/token-bucket';

/** The published per-account limits (rate a second, and burst) of the Organizations APIs a sync calls. */
export const ORGANIZATIONS_LIMITS = {
  DescribeOrganization: { rate: 1, burst: 2 },
  ListRoots: { rate: 1, burst: 2 },
  ListOrganizationalUnitsForParent: { rate: 5, burst: 8 },
  ListAccountsForParent: { rate: 5, burst: 8 },
  ListParents: { rate: 5, burst: 8 },
  // AWS publishes no figure for it; assumed to be no more generous than ListParents.
  DescribeAccount: { rate: 5, burst: 8 },
  // Only for scope filters by tag: one call per account, on its own bucket.
  ListTagsForResource: { rate: 10, burst: 15 },
} as const satisfies Record<string, RateLimit>;
export type OrganizationsApi = keyof typeof ORGANIZATIONS_LIMITS;

/** The published limit of an Organizations API, if it is one a sync calls. */
export function organizationsLimitOf(api: string): RateLimit | undefined {
  return Object.hasOwn(ORGANIZATIONS_LIMITS, api) ? ORGANIZATIONS_LIMITS[api as OrganizationsApi] : undefined;
}

/** Throttling can last a while on a busy organization; a 5xx rarely does. */
export const ORGANIZATIONS_RETRY: RetryPolicy = { attempts: 8, baseMs: 250, capMs: 20_000 };
