import { isDeepStrictEqual } from 'node:util';
import type { Integration } from '../../schemas/api/integrations';
import type { Connection, MemberAccessSummary, MemberHealth, StackInstance } from '../../schemas/sync';
import { type Clock, systemClock } from '../core/clock';
import { AppError } from '../core/errors';
import { logger } from '../core/logger';
import { pool } from '../core/pool';
import { type RetryPolicy, withRetries } from '../core/retry';
import { SessionCache } from '../core/session-cache';
import { TokenBucket } from '../core/token-bucket';
import { buildEvent } from '../domain/change-events';
import { roleSessionName } from '../domain/external-id';
import { parseRoleArn, type RoleArnRules } from '../domain/role-arn';
import {
  type CustomerRoleSession,
  type CustomerRolesPort,
  PermissionDeniedError,
  RoleRefusedError,
  StackSetNotFoundError,
} from '../ports/customer-roles';
import type { SyncStateStore } from '../sync/ports';
import type { HealthRecord, MemberHealthStore } from './ports';

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
  readonly state: Pick<SyncStateStore, 'target'>;
  readonly store: MemberHealthStore;
  readonly roles: CustomerRolesPort;
  readonly roleRules: RoleArnRules;
  readonly settings?: MemberCheckSettings;
  readonly clock?: Clock;
}

/** How far a check has come; the workflow hands it from one invocation to the next. */
export interface MemberCheckProgress {
  readonly startedAt: string;
  readonly cursor: string | null;
  readonly counts: Omit<MemberAccessSummary, 'checkedAt' | 'stackSetReadable'>;
  readonly stackSetReadable: boolean | null;
  readonly done: boolean;
}

/** Throttling gets a few retries; a probe that still fails is recorded as `error`, not thrown. */
const PROBE_RETRY: RetryPolicy = { attempts: 4, baseMs: 500, capMs: 8_000 };

/** A StackSet instance that is there and up to date: the role should be deployed. */
function deployed(instance: StackInstance): boolean {
  return instance.status === 'CURRENT' && instance.detailedStatus !== 'FAILED';
}

/**
 * Checks that each active connection's member role can be assumed with the integration's
 * External ID, a page of connections at a time, and records what it found. A change of a
 * connection's health is announced with `Connection Updated`. Roles that refuse us are looked
 * up in the member-role StackSet, when the integration names one, to tell `not_deployed` from
 * `denied`. Credentials are used for the probe only and never kept.
 */
export function makeMemberCheckService(deps: MemberCheckDeps) {
  const { state, store, roles, roleRules } = deps;
  const settings = deps.settings ?? DEFAULT_MEMBER_CHECK_SETTINGS;
  const clock = deps.clock ?? systemClock;

  return {
    /** Checks pages until the deadline nears or every connection is checked. */
    async check(
      target: { readonly tenantId: string; readonly integrationId: string },
      progress: MemberCheckProgress | null,
      deadline: number,
    ): Promise<MemberCheckProgress> {
      const { tenantId, integrationId } = target;
      let current: MemberCheckProgress = progress ?? {
        startedAt: new Date(clock.now()).toISOString(),
        cursor: null,
        counts: { ok: 0, denied: 0, notDeployed: 0, error: 0 },
        stackSetReadable: null,
        done: false,
      };
      const found = await state.target(tenantId, integrationId);
      if (!found || found.deleting) {
        logger.info('member check skipped: the integration is gone or going', { integrationId });
        return { ...current, cursor: null, done: true };
      }
      const { integration } = found;
      const bucket = new TokenBucket({ rate: settings.ratePerSecond, burst: settings.concurrency }, clock);
      const stackSets = new StackSetReader(integration, tenantId, roles, roleRules, clock);
      let pageMs = 0;
      let pages = 0;
      do {
        // Another page only when it would end well before the deadline, as the last one took.
        if (pages > 0 && clock.now() + pageMs + settings.marginMs >= deadline) return current;
        const pageStarted = clock.now();
        const page = await store.connections(tenantId, integrationId, {
          limit: settings.pageSize,
          ...(current.cursor === null ? {} : { cursor: current.cursor }),
        });
        const active = page.items.filter((connection) => !connection.disabled);
        const before = await store.health(
          tenantId,
          integrationId,
          active.map((connection) => connection.id),
        );
        const probed = await pool(active, settings.concurrency, async (connection) => {
          await bucket.take();
          return probe(integration, tenantId, connection);
        });
        const checkedAt = new Date(clock.now()).toISOString();
        const checked: Checked[] = [];
        for (const [index, outcome] of probed.entries()) {
          const connection = active[index] as Connection;
          const stackInstance = outcome.refused ? await stackSets.instance(connection.id) : null;
          checked.push({ connection, health: healthOf(outcome, stackInstance, checkedAt) });
        }
        const healths = checked.map(({ health }) => health);
        const records = recordsOf(integration, tenantId, checked, before);
        await store.record(tenantId, integrationId, records);
        current = {
          ...current,
          cursor: page.nextCursor,
          counts: countHealth(current.counts, healths),
          stackSetReadable: stackSets.readable ?? current.stackSetReadable,
        };
        pageMs = clock.now() - pageStarted;
        pages += 1;
        logger.info('member roles checked', {
          integrationId,
          checked: healths.length,
          changed: records.filter((record) => record.event !== null).length,
          more: page.nextCursor !== null,
        });
      } while (current.cursor !== null);

      const summary: MemberAccessSummary = {
        checkedAt: current.startedAt,
        ...current.counts,
        stackSetReadable: current.stackSetReadable,
      };
      await store.summarise(tenantId, integrationId, summary);
      logger.info('member check complete', { integrationId, ...summary });
      return { ...current, done: true };
    },
  };

  async function probe(integration: Integration, tenantId: string, connection: Connection): Promise<Probe> {
    try {
      await withRetries(
        () =>
          roles.assumeRole({
            role: parseRoleArn(connection.roleArn, roleRules),
            externalId: integration.externalId,
            sessionName: roleSessionName('health', tenantId),
          }),
        PROBE_RETRY,
        clock,
      );
      return { refused: false, error: null };
    } catch (error: unknown) {
      if (error instanceof RoleRefusedError) return { refused: true, error: null };
      if (error instanceof AppError) return { refused: false, error };
      throw error;
    }
  }

  /** One record per checked connection; those whose health changed carry their event. */
  function recordsOf(
    integration: Integration,
    tenantId: string,
    checked: readonly Checked[],
    before: Map<string, MemberHealth>,
  ): HealthRecord[] {
    const ctx = { tenantId, scope: integration.scope, integrationId: integration.id, syncRunId: null };
    return checked.map(({ connection, health }) => {
      const previous = before.get(connection.id) ?? null;
      const changed = previous === null || !sameVerdict(previous, health);
      const event = (sequence: number) =>
        buildEvent('Connection Updated', ctx, sequence, {
          connection: { ...connection, health },
          changes: [{ field: 'health', from: previous, to: health }],
        });
      return { accountId: connection.id, health, before: previous, event: changed ? event : null };
    });
  }
}

export type MemberCheckService = ReturnType<typeof makeMemberCheckService>;

interface Checked {
  readonly connection: Connection;
  readonly health: MemberHealth;
}

interface Probe {
  /** STS refused: the role is missing, or its trust policy does not let us in. */
  readonly refused: boolean;
  /** The probe could not finish (throttling, an outage): nothing is known. */
  readonly error: AppError | null;
}

function healthOf(probe: Probe, stackInstance: StackInstance | null, checkedAt: string): MemberHealth {
  const base = { checkedAt, stackInstance };
  if (probe.error !== null) {
    return { ...base, status: 'error', code: probe.error.code, hint: probe.error.hint ?? null };
  }
  if (!probe.refused) return { ...base, status: 'ok', code: null, hint: null };
  if (stackInstance !== null && !deployed(stackInstance)) {
    const reason = stackInstance.status === null ? 'The StackSet has no instance in this account.' : null;
    return {
      ...base,
      status: 'not_deployed',
      code: 'MEMBER_ROLE_NOT_DEPLOYED',
      hint:
        reason ??
        `The StackSet's instance here is ${stackInstance.status}${
          stackInstance.detailedStatus ? ` (${stackInstance.detailedStatus})` : ''
        }: ${stackInstance.reason ?? 'no reason given'}. Fix it and update the StackSet.`,
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

/** Whether two healths say the same; when they were checked is not news. */
function sameVerdict(a: MemberHealth, b: MemberHealth): boolean {
  return a.status === b.status && a.code === b.code && isDeepStrictEqual(a.stackInstance, b.stackInstance);
}

function countHealth(
  counts: MemberCheckProgress['counts'],
  healths: readonly MemberHealth[],
): MemberCheckProgress['counts'] {
  const next = { ...counts };
  for (const { status } of healths) {
    if (status === 'ok') next.ok += 1;
    else if (status === 'denied') next.denied += 1;
    else if (status === 'not_deployed') next.notDeployed += 1;
    else next.error += 1;
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
