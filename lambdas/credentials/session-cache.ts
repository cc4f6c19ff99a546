import { createHash } from 'node:crypto';
import type { IssuedCredentials } from './ports';

/** Enough for every connection × consumer × workspace one function instance serves in an hour. */
const DEFAULT_MAX_ENTRIES = 5000;

export interface CachedSession {
  readonly credentials: IssuedCredentials;
  /** Whether the session carries the consumer's SourceIdentity and tags. */
  readonly sourceIdentity: boolean;
}

/** What makes two requests share one session: nothing less, or one could get another's policy. */
export interface SessionKey {
  readonly tenantId: string;
  readonly integrationId: string;
  readonly roleArn: string;
  /** Hashed into the key with the rest: a re-registered role with a new External ID never reuses it. */
  readonly externalId: string;
  readonly access: string;
  readonly consumer: string;
  readonly workspaceId: string;
  /** A longer session asked for never gets a shorter one's remains. */
  readonly durationSeconds: number;
  readonly policy: string | null;
}

/** The cache key of a session: a hash, so the External ID is not kept in the clear as a key. */
export function sessionCacheKey(key: SessionKey): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        key.tenantId,
        key.integrationId,
        key.roleArn,
        key.externalId,
        key.access,
        key.consumer,
        key.workspaceId,
        key.durationSeconds,
        key.policy,
      ]),
    )
    .digest('base64url');
}

/** Keys remembered for a while, in memory; a bounded number, the oldest forgotten first. */
export class ExpiringSet {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly clock: () => number,
    private readonly ttlMs: number,
    private readonly maxEntries = DEFAULT_MAX_ENTRIES,
  ) {}

  knows(key: string): boolean {
    const until = this.until.get(key);
    if (until === undefined) return false;
    if (until > this.clock()) return true;
    this.until.delete(key);
    return false;
  }

  remember(key: string): void {
    this.until.delete(key);
    if (this.until.size >= this.maxEntries) {
      const oldest = this.until.keys().next();
      if (!oldest.done) this.until.delete(oldest.value);
    }
    this.until.set(key, this.clock() + this.ttlMs);
  }
}
