import type { Clock } from '../../core/clock';
import { TokenBucket } from '../../core/token-bucket';
import { organizationsLimitOf } from '../../domain/organizations-limits';
import { SandboxApiError } from './sandbox-errors';

/** The Organizations APIs' published rate limits, kept per calling account and API, as AWS keeps them. */
export class OrganizationsRateLimits {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly clock: Clock) {}

  /** Charges one call; a call over its limit is refused as AWS refuses it. */
  charge(callerAccountId: string, api: string): void {
    const limit = organizationsLimitOf(api);
    if (!limit) return;
    const key = `${callerAccountId}:${api}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(limit, this.clock);
      this.buckets.set(key, bucket);
    }
    if (!bucket.tryTake()) throw new SandboxApiError('TooManyRequestsException', 'Rate exceeded.');
  }
}
