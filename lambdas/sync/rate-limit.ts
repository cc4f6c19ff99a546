import type { Clock, RetryPolicy } from '../core/retry';

export interface RateLimit {
  /** Requests a second, sustained. */
  readonly rate: number;
  readonly burst: number;
}

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

/**
 * A token bucket that hands out reservations: each caller takes a token now, or the next one
 * that will exist and waits for it, so concurrent callers queue fairly and never exceed the rate.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock,
  ) {
    this.tokens = limit.burst;
    this.updatedAt = clock.now();
  }

  async take(): Promise<void> {
    this.refill();
    this.tokens -= 1;
    if (this.tokens < 0) await this.clock.sleep((-this.tokens / this.limit.rate) * 1000);
  }

  /** Takes a token only if one is there now, as a service that throttles its callers does. */
  tryTake(): boolean {
    this.refill();
    // A caller that waited exactly its time finds a whole token, whatever the float rounding.
    if (this.tokens < 1 - 1e-9) return false;
    this.tokens -= 1;
    return true;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.limit.rate);
    this.updatedAt = now;
  }
}

/** Our share of a published limit: the customer's own tools keep the rest. */
export function shareOf(limit: RateLimit, fraction: number): RateLimit {
  return { rate: limit.rate * fraction, burst: Math.max(1, Math.floor(limit.burst * fraction)) };
}

/** Throttling can last a while on a busy organization; a 5xx rarely does. */
export const ORGANIZATIONS_RETRY: RetryPolicy = { attempts: 8, baseMs: 250, capMs: 20_000 };
