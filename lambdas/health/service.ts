import { isDeepStrictEqual } from 'node:util';
import type { Integration } from '../../schemas/api/integrations';
import type { TemplateName } from '../../schemas/api/onboarding';
import type { Connection, MemberAccessSummary, MemberHealth, StackInstance } from '../../schemas/sync';
import { type Clock, systemClock } from '../core/clock';
import { AppError } from '../core/errors';
import { logger } from '../core/logger';
import { pool } from '../core/pool';
import { type RetryPolicy, withRetries } from '../core/retry';
import { SessionCache } from '../core/session-cache';
import { TokenBucket } from '../core/token-bucket';
import { buildEvent, type EventOrigin, originContext } from '../domain/change-events';
import { roleSessionName } from '../domain/external-id';
import { parseRoleArn, type RoleArnRules } from '../domain/role-arn';
import { inspectRole, type RoleInspection } from '../domain/role-inspection';
import type { RunRef, SyncTarget } from '../domain/sync-runs';
import {
  type CustomerRoleSession,
  type CustomerRolesPort,
  PermissionDeniedError,
  RoleRefusedError,
  StackSetNotFoundError,
} from '../ports/customer-roles';
import {
  type CheckTarget,
  type HealthRecord,
  MEMBER_CHECK_LEASE_MS,
  type MemberCheckLease,
  type MemberHealthStore,
  ON_DEMAND_CHECK_PREFIX,
} from '../ports/member-health';
import type { SyncStateStore } from '../ports/sync-state';

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

export const DEFAULT_MEMBER_CHECK_SETTINGS: MemberCheckSettings = {
  concurrency: 8,
  // 100 executions at once (the default cap on concurrent syncs) × 5 = 500 a second, below STS's 600.
  ratePerSecond: 5,
  pageSize: 100,
  marginMs: 60_000,
};

export interface MemberCheckDeps {
  readonly state: Pick<SyncStateStore, 'target' | 'run'>;
  readonly store: MemberHealthStore;
  readonly lease: MemberCheckLease;
  readonly roles: CustomerRolesPort;
  readonly roleRules: RoleArnRules;
  readonly settings?: MemberCheckSettings;
  readonly clock?: Clock;
}

type MemberCheckCounts = Omit<MemberAccessSummary, 'checkedAt' | 'stackSetReadable'>;

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
}

/** Throttling gets a few retries; a probe that still fails is recorded as `error`, not thrown. */
const PROBE_RETRY: RetryPolicy = { attempts: 4, baseMs: 500, capMs: 8_000 };

/**
 * A new account's StackSet instance usually turns CURRENT within minutes of the account joining.
 * Until then its refusal is `pending_deployment`, for at most this long; then `not_deployed`.
 */
const PENDING_DEPLOYMENT_LIMIT_MS = 30 * 60 * 1000;
/** The waits between passes over pending accounts: 30 s, doubling, at most 10 minutes. */
function pendingBackoffSeconds(retry: number): number {
  return Math.min(30 * 2 ** retry, 600);
}
/** Passes over pending accounts, enough to outlast the limit above. */
const PENDING_PASSES = 8;
/** Pending accounts a check follows; the rest are judged again by the next check. */
const PENDING_CHECKED_AGAIN = 100;

const NO_COUNTS: MemberCheckCounts = {
  ok: 0,
  denied: 0,
  notDeployed: 0,
  pendingDeployment: 0,
  error: 0,
  permissions: { ok: 0, missing: 0, unknown: 0 },
  templateVersions: {},
};

/** A StackSet instance that is there and up to date: the role should be deployed. */
function deployed(instance: StackInstance): boolean {
  return instance.status === 'CURRENT' && instance.detailedStatus !== 'FAILED';
}

/** No instance yet, or one whose deployment has not started or is under way; not one that failed. */
function mayStillDeploy(instance: StackInstance): boolean {
  if (instance.status === null) return true;
  const underWay =
    instance.detailedStatus === null || ['PENDING', 'RUNNING'].includes(instance.detailedStatus);
  return instance.status === 'OUTDATED' && underWay;
}

/**
 * Checks that each active connection's member role can be assumed with the integration's
 * External ID, a page of connections at a time, and records what it found. A role that lets us
 * in is also inspected: its permissions simulated against the manifest, its template version
 * read. A change of a connection's health is announced with `Connection Updated`. Roles that
 * refuse us are looked up in the member-role StackSet, when the integration names one, to tell
 * `not_deployed` (or, for a new account, `pending_deployment`) from `denied`. Credentials are
 * used for the probe only and never kept.
 */
export function makeMemberCheckService(deps: MemberCheckDeps) {
  const { state, store, lease, roles, roleRules } = deps;
  const settings = deps.settings ?? DEFAULT_MEMBER_CHECK_SETTINGS;
  const clock = deps.clock ?? systemClock;
  const retried = <T>(call: () => Promise<T>) => withRetries(call, PROBE_RETRY, clock);

  return {
    /**
     * Checks pages until the deadline nears or every connection is checked; then, while new
     * accounts wait for their role, asks the workflow to come back for them after a backoff.
     */
    async check(
      ref: RunRef,
      progress: MemberCheckProgress | null,
      deadline: number,
    ): Promise<MemberCheckProgress> {
      const { tenantId, integrationId } = ref;
      const target: CheckTarget = { tenantId, integrationId, checkId: ref.runId };
      const current: MemberCheckProgress = progress ?? {
        startedAt: new Date(clock.now()).toISOString(),
        cursor: null,
        counts: NO_COUNTS,
        stackSetReadable: null,
        pending: [],
        retry: null,
        waitSeconds: 0,
        done: false,
      };
      const found = await state.target(tenantId, integrationId);
      if (!found || found.deleting) {
        logger.info('member check skipped: the integration is gone or going', { integrationId });
        return { ...current, cursor: null, waitSeconds: 0, done: true };
      }
      if (progress === null && !(await startedInTenant(ref, found))) {
        logger.warn('member check refused: nothing in the tenant named it', {
          integrationId,
          checkId: ref.runId,
        });
        return { ...current, cursor: null, waitSeconds: 0, done: true };
      }
      // One check at a time: the first invocation takes the lease, or leaves it to the holder.
      const now = clock.now();
      if (progress === null && !(await lease.take(target, now + MEMBER_CHECK_LEASE_MS, now))) {
        logger.info('member check skipped: another check of the integration is running', {
          integrationId,
          running: found.memberCheck?.id,
        });
        return { ...current, waitSeconds: 0, done: true };
      }
      // Before the first complete check every account is there from the start; after it, an
      // account without a record has just appeared.
      const newcomers = found.memberAccess !== null;
      const stackSets = new StackSetReader(found.integration, tenantId, roles, roleRules, clock);
      const context = { store, settings, clock, probe, stackSets, correlationId: ref.correlationId };
      const pass = new CheckPass(context, found.integration, tenantId, current, newcomers);
      const next = current.retry === null ? await pass.pages(deadline) : await pass.pendingAgain();
      if (next.done) await lease.release(target);
      return next;
    },
  };

  /**
   * The workflow may assume any tenant's partition, so it trusts no tenant its input names: a
   * check runs only when what started it is in that tenant's partition, where only a session
   * confined to the tenant (or the sync itself) writes. An on-demand check: the lease the API
   * took for it. A check after a sync: the sync's run record.
   */
  async function startedInTenant(ref: RunRef, found: SyncTarget): Promise<boolean> {
    if (ref.runId.startsWith(ON_DEMAND_CHECK_PREFIX)) return found.memberCheck?.id === ref.runId;
    return (await state.run(ref)) !== undefined;
  }

  async function probe(integration: Integration, tenantId: string, connection: Connection): Promise<Probe> {
    let session: CustomerRoleSession;
    try {
      session = await retried(() =>
        roles.assumeRole({
          role: parseRoleArn(connection.roleArn, roleRules),
          externalId: integration.externalId,
          sessionName: roleSessionName('health', tenantId),
        }),
      );
    } catch (error: unknown) {
      if (error instanceof RoleRefusedError) return { refused: true, error: null, inspection: null };
      if (error instanceof AppError) return { refused: false, error, inspection: null };
      throw error;
    }
    const inspection = await inspectRole(
      session,
      { kind: 'member-read', template: memberTemplateOf(integration) },
      retried,
    );
    return { refused: false, error: null, inspection };
  }
}

export type MemberCheckService = ReturnType<typeof makeMemberCheckService>;

/** What a pass works with: the service's store, settings, clock and probe, and the check's origin. */
interface PassContext {
  readonly store: MemberHealthStore;
  readonly settings: MemberCheckSettings;
  readonly clock: Clock;
  readonly probe: (integration: Integration, tenantId: string, connection: Connection) => Promise<Probe>;
  readonly stackSets: StackSetReader;
  /** What set the check off; the health events carry it. */
  readonly correlationId: string;
}

/** One invocation's work: its own rate, its own StackSet reads. */
class CheckPass {
  private readonly bucket: TokenBucket;

  constructor(
    private readonly ctx: PassContext,
    private readonly integration: Integration,
    private readonly tenantId: string,
    private progress: MemberCheckProgress,
    /** Whether an account never checked before is new, and may wait for its role. */
    private readonly newcomers: boolean,
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
      const checked = await this.checkAll(page.items.filter((connection) => !connection.disabled));
      this.progress = {
        ...this.progress,
        cursor: page.nextCursor,
        counts: checked.reduce((counts, { after }) => tally(counts, after, 1), this.progress.counts),
        pending: [...this.progress.pending, ...pendingOf(checked)].slice(0, PENDING_CHECKED_AGAIN),
      };
      pageMs = clock.now() - pageStarted;
      pages += 1;
    } while (this.progress.cursor !== null);

    await this.summarise();
    return this.next(0);
  }

  /** Checks the accounts that waited for their role again, and adjusts the counts. */
  async pendingAgain(): Promise<MemberCheckProgress> {
    const { integration, tenantId, progress } = this;
    const connections = await this.ctx.store.connectionsById(tenantId, integration.id, progress.pending);
    const checked = await this.checkAll(connections.filter((connection) => !connection.disabled));
    let { counts } = progress;
    for (const { before, after } of checked) {
      if (before !== null) counts = tally(counts, before, -1);
      counts = tally(counts, after, 1);
    }
    this.progress = { ...progress, counts, pending: pendingOf(checked) };
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

  private async summarise(): Promise<void> {
    const { startedAt, counts, stackSetReadable } = this.progress;
    const summary: MemberAccessSummary = { checkedAt: startedAt, ...counts, stackSetReadable };
    await this.ctx.store.summarise(this.tenantId, this.integration.id, summary);
    logger.info('member check summarised', { integrationId: this.integration.id, ...summary });
  }
}

/** The template a connection's member role comes from. */
function memberTemplateOf(integration: Integration): TemplateName {
  return integration.kind === 'organization' ? 'member-account-role' : 'single-account-role';
}

/** One record per checked connection; those whose health changed carry their event. */
function recordsOf(
  integration: Integration,
  origin: EventOrigin,
  checked: readonly Checked[],
): HealthRecord[] {
  const ctx = originContext(origin, integration);
  return checked.map(({ connection, before, after }) => {
    const changed = before === null || !sameVerdict(before, after);
    const event = (sequence: number) =>
      buildEvent('Connection Updated', ctx, sequence, {
        connection: { ...connection, health: after },
        changes: [{ field: 'health', from: before, to: after }],
      });
    return { accountId: connection.id, health: after, before, event: changed ? event : null };
  });
}

function pendingOf(checked: readonly Checked[]): string[] {
  return checked.flatMap(({ connection, after }) =>
    after.status === 'pending_deployment' ? [connection.id] : [],
  );
}

interface Checked {
  readonly connection: Connection;
  readonly before: MemberHealth | null;
  readonly after: MemberHealth;
}

interface Probe {
  /** STS refused: the role is missing, or its trust policy does not let us in. */
  readonly refused: boolean;
  /** The probe could not finish (throttling, an outage): nothing is known. */
  readonly error: AppError | null;
  /** What the role's session told about the role, when it let us in. */
  readonly inspection: RoleInspection | null;
}

function healthOf(
  probe: Probe,
  stackInstance: StackInstance | null,
  checkedAtMs: number,
  /** When the account started waiting for its role, if it may still wait. */
  pendingSince: string | null,
): MemberHealth {
  const checkedAt = new Date(checkedAtMs).toISOString();
  const base = {
    checkedAt,
    stackInstance,
    permissions: null,
    templateVersion: null,
    outdated: null,
    pendingSince: null,
  };
  if (probe.error !== null) {
    return { ...base, status: 'error', code: probe.error.code, hint: probe.error.hint ?? null };
  }
  if (!probe.refused) return { ...base, ...probe.inspection, status: 'ok', code: null, hint: null };
  if (stackInstance !== null && !deployed(stackInstance)) {
    const state =
      stackInstance.status === null
        ? 'The StackSet has no instance in this account'
        : `The StackSet's instance here is ${stackInstance.status}${
            stackInstance.detailedStatus ? ` (${stackInstance.detailedStatus})` : ''
          }`;
    if (pendingSince !== null && mayStillDeploy(stackInstance)) {
      return {
        ...base,
        status: 'pending_deployment',
        code: null,
        hint: `${state} yet: a new account gets its role once the StackSet reaches it. We check again shortly.`,
        pendingSince,
      };
    }
    return {
      ...base,
      status: 'not_deployed',
      code: 'MEMBER_ROLE_NOT_DEPLOYED',
      hint:
        stackInstance.status === null
          ? `${state}.`
          : `${state}: ${stackInstance.reason ?? 'no reason given'}. Fix it and update the StackSet.`,
    };
  }
  return {
    ...base,
    status: 'denied',
    code: 'ROLE_NOT_ASSUMABLE',
    hint:
      stackInstance === null
        ? 'Deploy the member role in this account with your External ID, or check that its trust policy names our account and your External ID.'
        : "The StackSet's role is deployed here but refuses us: check the StackSet's ExternalId and TrustedAccountId parameters.",
  };
}

/**
 * Since when an account may have waited for its role: a newcomer (never checked before) starts
 * waiting now; one that waited keeps waiting until the limit. Null: it may not wait.
 */
function pendingSinceOf(
  previous: MemberHealth | null,
  checkedAtMs: number,
  newcomers: boolean,
): string | null {
  if (previous === null) return newcomers ? new Date(checkedAtMs).toISOString() : null;
  if (previous.status !== 'pending_deployment' || previous.pendingSince === null) return null;
  const waited = checkedAtMs - Date.parse(previous.pendingSince);
  return waited < PENDING_DEPLOYMENT_LIMIT_MS ? previous.pendingSince : null;
}

/** Whether two healths say the same; when they were checked is not news. */
function sameVerdict(a: MemberHealth, b: MemberHealth): boolean {
  const verdict = ({
    status,
    code,
    stackInstance,
    permissions,
    templateVersion,
    outdated,
  }: MemberHealth) => ({
    status,
    code,
    stackInstance,
    permissions: permissions && { status: permissions.status, denied: permissions.denied },
    templateVersion,
    outdated,
  });
  return isDeepStrictEqual(verdict(a), verdict(b));
}

/** Adds (or, with -1, takes back) one health to the counts. */
function tally(counts: MemberCheckCounts, health: MemberHealth, by: 1 | -1): MemberCheckCounts {
  const next = {
    ...counts,
    permissions: { ...counts.permissions },
    templateVersions: { ...counts.templateVersions },
  };
  const key = (
    {
      ok: 'ok',
      denied: 'denied',
      not_deployed: 'notDeployed',
      pending_deployment: 'pendingDeployment',
      error: 'error',
    } as const
  )[health.status];
  next[key] += by;
  if (health.permissions !== null) next.permissions[health.permissions.status] += by;
  if (health.status === 'ok') {
    const version = health.templateVersion === null ? 'unknown' : String(health.templateVersion);
    next.templateVersions[version] = (next.templateVersions[version] ?? 0) + by;
    if (next.templateVersions[version] === 0) delete next.templateVersions[version];
  }
  return next;
}

/**
 * Reads the member-role StackSet through the discovery role, for the accounts whose role refused
 * us. `readable` turns false for the rest of the check once the StackSet cannot be read.
 */
class StackSetReader {
  readable: boolean | null = null;
  private readonly sessions: SessionCache<CustomerRoleSession>;

  constructor(
    private readonly integration: Integration,
    private readonly tenantId: string,
    private readonly roles: CustomerRolesPort,
    private readonly roleRules: RoleArnRules,
    private readonly clock: Clock,
  ) {
    this.sessions = new SessionCache({
      expiresAt: (session) => session.expiresAt?.getTime(),
      clock: () => clock.now(),
    });
  }

  async instance(accountId: string): Promise<StackInstance | null> {
    const stackSet = this.integration.memberRoleStackSet;
    if (stackSet === null || this.integration.kind !== 'organization' || this.readable === false) return null;
    const callAs =
      this.integration.accountId === this.integration.managementAccountId ? 'SELF' : 'DELEGATED_ADMIN';
    try {
      const session = await this.discoverySession();
      const instance = await withRetries(
        () => session.stackInstance(stackSet, accountId, callAs),
        PROBE_RETRY,
        this.clock,
      );
      this.readable = true;
      return (
        instance ?? {
          stackSetName: stackSet.name,
          region: stackSet.region,
          status: null,
          detailedStatus: null,
          reason: null,
        }
      );
    } catch (error: unknown) {
      const unreadable =
        error instanceof PermissionDeniedError ||
        error instanceof StackSetNotFoundError ||
        error instanceof RoleRefusedError ||
        error instanceof AppError;
      if (!unreadable) throw error;
      logger.warn('the member-role StackSet cannot be read', {
        stackSet: stackSet.name,
        error: error.message,
      });
      this.readable = false;
      return null;
    }
  }

  private async discoverySession(): Promise<CustomerRoleSession> {
    const role = parseRoleArn(this.integration.roleArn, this.roleRules);
    const { session } = await this.sessions.getOrCreate(role.arn, () =>
      withRetries(
        () =>
          this.roles.assumeRole({
            role,
            externalId: this.integration.externalId,
            sessionName: roleSessionName('health', this.tenantId),
          }),
        PROBE_RETRY,
        this.clock,
      ),
    );
    return session;
  }
}
