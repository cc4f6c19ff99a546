/** A session is handed out until this long before it expires, never closer. */
export const SESSION_REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** Enough for every connection × consumer × workspace one function instance serves in an hour. */
const DEFAULT_MAX_ENTRIES = 5000;

export interface SessionCacheOptions<S> {
  /** When a session's credentials run out (epoch ms); undefined when unknown, and then it is kept. */
  readonly expiresAt: (session: S) => number | undefined;
  readonly clock?: () => number;
  readonly maxEntries?: number;
}

/**
 * Role sessions, kept only in this function instance's memory (never in a store), keyed by what
 * the caller says makes two sessions the same (at least the role ARN), and replaced five minutes
 * before they expire. Concurrent misses for one key share one AssumeRole; one that fails is not
 * remembered.
 */
export class SessionCache<S> {
  private readonly sessions = new Map<string, S>();
  private readonly pending = new Map<string, Promise<S>>();
  private readonly clock: () => number;
  private readonly maxEntries: number;

  constructor(private readonly options: SessionCacheOptions<S>) {
    this.clock = options.clock ?? Date.now;
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  }

  /**
   * The cached session for `key`, or the one `create` makes; `cached` is true only for a session
   * that existed before this call.
   */
  async getOrCreate(
    key: string,
    create: () => Promise<S>,
  ): Promise<{ readonly session: S; readonly cached: boolean }> {
    const found = this.sessions.get(key);
    if (found !== undefined && this.fresh(found)) return { session: found, cached: true };
    if (found !== undefined) this.sessions.delete(key);
    // A request that waited on another's AssumeRole got a new session, not a cached one.
    const inFlight = this.pending.get(key);
    if (inFlight) return { session: await inFlight, cached: false };
    const created = create();
    this.pending.set(key, created);
    try {
      const session = await created;
      this.remember(key, session);
      return { session, cached: false };
    } finally {
      this.pending.delete(key);
    }
  }

  /** Drops a session its service refused (expired or revoked early), so the next call renews it. */
  forget(key: string): void {
    this.sessions.delete(key);
  }

  get size(): number {
    return this.sessions.size;
  }

  private fresh(session: S): boolean {
    const expiresAt = this.options.expiresAt(session);
    return expiresAt === undefined || expiresAt - this.clock() > SESSION_REFRESH_MARGIN_MS;
  }

  private remember(key: string, session: S): void {
    if (!this.fresh(session)) return;
    if (this.sessions.size >= this.maxEntries) {
      for (const [id, value] of this.sessions) if (!this.fresh(value)) this.sessions.delete(id);
    }
    // Still full: drop the oldest entry (a Map iterates in insertion order).
    if (this.sessions.size >= this.maxEntries) {
      const oldest = this.sessions.keys().next();
      if (!oldest.done) this.sessions.delete(oldest.value);
    }
    this.sessions.set(key, session);
  }
}
