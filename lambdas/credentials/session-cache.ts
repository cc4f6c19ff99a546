import { createHash } from 'node:crypto';
import type { IssuedCredentials } from './ports';

/** A cached session is handed out until this long before it expires, never closer. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

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
  readonly policy: string | null;
}

/**
 * Role sessions, kept only in this function instance's memory (never in a store), until five
 * minutes before they expire. Concurrent misses for one key share one AssumeRole.
 */
export class SessionCache {
  private readonly sessions = new Map<string, CachedSession>();
  private readonly pending = new Map<string, Promise<CachedSession>>();

  constructor(
    private readonly clock: () => number = Date.now,
    private readonly maxEntries = DEFAULT_MAX_ENTRIES,
  ) {}

  /**
   * The cached session for the key, or the one `issue` makes. `cached` says which; an issue that
   * fails is not remembered.
   */
  async getOrIssue(
    key: SessionKey,
    issue: () => Promise<CachedSession>,
  ): Promise<{ readonly session: CachedSession; readonly cached: boolean }> {
    const id = cacheId(key);
    const found = this.sessions.get(id);
    if (found && this.fresh(found)) return { session: found, cached: true };
    if (found) this.sessions.delete(id);
    const inFlight = this.pending.get(id);
    if (inFlight) return { session: await inFlight, cached: true };
    const issued = issue();
    this.pending.set(id, issued);
    try {
      const session = await issued;
      this.remember(id, session);
      return { session, cached: false };
    } finally {
      this.pending.delete(id);
    }
  }

  get size(): number {
    return this.sessions.size;
  }

  private fresh(session: CachedSession): boolean {
    return session.credentials.expiration.getTime() - this.clock() > REFRESH_MARGIN_MS;
  }

  private remember(id: string, session: CachedSession): void {
    if (!this.fresh(session)) return;
    if (this.sessions.size >= this.maxEntries) {
      for (const [key, value] of this.sessions) if (!this.fresh(value)) this.sessions.delete(key);
    }
    // Still full: drop the oldest entry (a Map iterates in insertion order).
    if (this.sessions.size >= this.maxEntries) {
      const oldest = this.sessions.keys().next();
      if (!oldest.done) this.sessions.delete(oldest.value);
    }
    this.sessions.set(id, session);
  }
}

function cacheId(key: SessionKey): string {
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
