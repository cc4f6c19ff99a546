import type { Integration } from '../../schemas/api/integrations';
import type { Connection, MemberAccessSummary } from '../../schemas/sync';
import type { Clock } from '../core/clock';
import { logger } from '../core/logger';
import { pool } from '../core/pool';
import { TokenBucket } from '../core/token-bucket';
import type { MemberCheckScope } from '../domain/member-check-cadence';
import type { MemberHealthStore } from '../ports/member-health';
import type { MemberStackSet } from './member-stack-set';
import {
  type Checked,
  healthOf,
  type MemberCheckCounts,
  type Probe,
  pendingOf,
  pendingSinceOf,
  recordsOf,
  tally,
} from './verdict';

/** The waits between passes over pending accounts: 30 s, doubling, at most 10 minutes. */
function pendingBackoffSeconds(retry: number): number {
  return Math.min(30 * 2 ** retry, 600);
}
/** Passes over pending accounts, enough to outlast the limit above. */
const PENDING_PASSES = 8;
/** Pending accounts a check follows; the rest are judged again by the next check. */
const PENDING_CHECKED_AGAIN = 100;

export interface MemberCheckSettings {
  /** AssumeRole calls in flight at once. */
  readonly concurrency: number;
  /**
   * AssumeRole calls a second for one check. STS allows an account about 600 a second for all
   * its callers, so this times the number of checks that may run at once must stay below it.
   */
  readonly ratePerSecond: number;
  /** Connections read and recorded together. */
  readonly pageSize: number;
  /** Stop early enough to record the page under way before Lambda's time runs out. */
  readonly marginMs: number;
}

/**
 * How far a check has come; the workflow hands it from one invocation to the next. A check
 * reads every connection a page at a time (`retry` null), then, while accounts wait for their
 * role's deployment, checks those again after `waitSeconds` (`retry` counts those passes).
 */
export interface MemberCheckProgress {
  readonly startedAt: string;
  readonly cursor: string | null;
  readonly counts: MemberCheckCounts;
  readonly stackSetReadable: boolean | null;
  /** Accounts last found `pending_deployment`, at most PENDING_CHECKED_AGAIN of them. */
  readonly pending: readonly string[];
  readonly retry: number | null;
  /** How long the workflow waits before the next invocation; 0 for none. */
  readonly waitSeconds: number;
  readonly done: boolean;
  /**
   * `all`: every active connection, a complete check. `targeted`: only those without a health
   * record yet (new ones) and those of `accounts`, whose verdicts amend the last complete
   * check's counts.
   */
  readonly scope: MemberCheckScope;
  /** The accounts a targeted check looks at again. */
  readonly accounts: readonly string[];
}

/** What a pass works with: the service's store, settings, clock and probe, and the check's origin. */
export interface PassContext {
  readonly store: MemberHealthStore;
  readonly settings: MemberCheckSettings;
  readonly clock: Clock;
  readonly probe: (integration: Integration, tenantId: string, connection: Connection) => Promise<Probe>;
  readonly stackSets: MemberStackSet;
  /** What set the check off; the health events carry it. */
  readonly correlationId: string;
}

/** One invocation's work: its own rate, its own StackSet reads. */
export class CheckPass {
  private readonly bucket: TokenBucket;

  constructor(
    private readonly ctx: PassContext,
    private readonly integration: Integration,
    private readonly tenantId: string,
    private progress: MemberCheckProgress,
    /** Whether an account never checked before is new, and may wait for its role. */
    private readonly newcomers: boolean,
    /** The last complete check's summary; null before the first. */
    private readonly lastComplete: MemberAccessSummary | null,
  ) {
    this.bucket = new TokenBucket(
      { rate: ctx.settings.ratePerSecond, burst: ctx.settings.concurrency },
      ctx.clock,
    );
  }

  async pages(deadline: number): Promise<MemberCheckProgress> {
    const { integration, tenantId } = this;
    const { store, settings, clock } = this.ctx;
    let pageMs = 0;
    let pages = 0;
    do {
      // Another page only when it would end well before the deadline, as the last one took.
      if (pages > 0 && clock.now() + pageMs + settings.marginMs >= deadline) return this.progress;
      const pageStarted = clock.now();
      const page = await store.connections(tenantId, integration.id, {
        limit: settings.pageSize,
        ...(this.progress.cursor === null ? {} : { cursor: this.progress.cursor }),
      });
      const active = page.items.filter((connection) => !connection.disabled);
      const checked = await this.checkAll(
        this.progress.scope === 'all' ? active : await this.targeted(active),
      );
      this.progress = {
        ...this.progress,
        cursor: page.nextCursor,
        counts: recounted(this.progress.counts, checked, this.progress.scope === 'targeted'),
        pending: [...this.progress.pending, ...pendingOf(checked)].slice(0, PENDING_CHECKED_AGAIN),
      };
      pageMs = clock.now() - pageStarted;
      pages += 1;
    } while (this.progress.cursor !== null);

    await this.summarise();
    return this.next(0);
  }

  /** Of these connections, those a targeted check looks at: no check has recorded them, or named. */
  private async targeted(connections: readonly Connection[]): Promise<Connection[]> {
    const { integration, tenantId } = this;
    const named = new Set(this.progress.accounts);
    const ids = connections.map((connection) => connection.id);
    const recorded = await this.ctx.store.health(tenantId, integration.id, ids);
    return connections.filter((connection) => named.has(connection.id) || !recorded.has(connection.id));
  }

  /** Checks the accounts that waited for their role again, and adjusts the counts. */
  async pendingAgain(): Promise<MemberCheckProgress> {
    const { integration, tenantId, progress } = this;
    const connections = await this.ctx.store.connectionsById(tenantId, integration.id, progress.pending);
    const checked = await this.checkAll(connections.filter((connection) => !connection.disabled));
    this.progress = {
      ...progress,
      counts: recounted(progress.counts, checked, true),
      pending: pendingOf(checked),
    };
    await this.summarise();
    return this.next((progress.retry ?? 0) + 1);
  }

  /** Done, or another pass over the pending accounts after a backoff. */
  private next(retry: number): MemberCheckProgress {
    const again = this.progress.pending.length > 0 && retry < PENDING_PASSES;
    if (!again) return { ...this.progress, pending: [], retry: null, waitSeconds: 0, done: true };
    logger.info('new accounts wait for their member role', {
      integrationId: this.integration.id,
      accounts: this.progress.pending.length,
      waitSeconds: pendingBackoffSeconds(retry),
    });
    return { ...this.progress, retry, waitSeconds: pendingBackoffSeconds(retry), done: false };
  }

  /** Probes the connections, records their health (announcing changes), and returns both verdicts. */
  private async checkAll(connections: readonly Connection[]): Promise<Checked[]> {
    const { integration, tenantId } = this;
    const { store, settings, clock, probe, stackSets } = this.ctx;
    const before = await store.health(
      tenantId,
      integration.id,
      connections.map((connection) => connection.id),
    );
    const probed = await pool(connections, settings.concurrency, async (connection) => {
      await this.bucket.take();
      return probe(integration, tenantId, connection);
    });
    const checkedAt = clock.now();
    const checked: Checked[] = [];
    for (const [index, outcome] of probed.entries()) {
      const connection = connections[index] as Connection;
      const stackInstance = outcome.refused ? await stackSets.instance(connection.id) : null;
      const previous = before.get(connection.id) ?? null;
      const pendingSince = pendingSinceOf(previous, checkedAt, this.newcomers);
      const after = healthOf(outcome, stackInstance, checkedAt, pendingSince);
      checked.push({ connection, before: previous, after });
    }
    const records = recordsOf(integration, { tenantId, correlationId: this.ctx.correlationId }, checked);
    await store.record(tenantId, integration.id, records);
    this.progress = {
      ...this.progress,
      stackSetReadable: stackSets.readable ?? this.progress.stackSetReadable,
    };
    logger.info('member roles checked', {
      integrationId: integration.id,
      checked: checked.length,
      changed: records.filter((record) => record.event !== null).length,
      retry: this.progress.retry,
    });
    return checked;
  }

  /**
   * Records the counts. A targeted check keeps the last complete check's time, so
   * the next complete check falls due when it would have.
   */
  private async summarise(): Promise<void> {
    const { startedAt, counts, stackSetReadable, scope } = this.progress;
    const checkedAt = scope === 'targeted' ? (this.lastComplete?.checkedAt ?? startedAt) : startedAt;
    const summary: MemberAccessSummary = { checkedAt, ...counts, stackSetReadable };
    await this.ctx.store.summarise(this.tenantId, this.integration.id, summary);
    logger.info('member check summarised', { integrationId: this.integration.id, ...summary });
  }
}

/**
 * The counts with these verdicts added. When they `amend` counts that held the accounts' last
 * verdicts (a targeted check's, or a pass over accounts waiting for their role), those are
 * taken out first; a complete check counts each account once, from nothing.
 */
function recounted(
  counts: MemberCheckCounts,
  checked: readonly Checked[],
  amend: boolean,
): MemberCheckCounts {
  return checked.reduce(
    (sum, { before, after }) => tally(amend && before !== null ? tally(sum, before, -1) : sum, after, 1),
    counts,
  );
}
