import type { Clock } from './clock';

export interface RateLimit {
  /** Requests a second, sustained. */
  readonly rate: number;
  readonly burst: number;
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
