import { UpstreamThrottledError } from '../../../lambdas/core/errors';
import type { PageRequest } from '../../../lambdas/domain/page';
import type { StoredRun, SyncTarget } from '../../../lambdas/domain/sync-runs';
import { TEMPLATE_VERSIONS } from '../../../lambdas/domain/template-versions';
import type { MemberCheckSettings } from '../../../lambdas/health/check-pass';
import { makeMemberCheckService } from '../../../lambdas/health/service';
import {
  type ActionDecision,
  type AssumeRoleRequest,
  type CustomerRoleSession,
  type CustomerRolesPort,
  PermissionDeniedError,
  RoleMissingError,
  RoleRefusedError,
} from '../../../lambdas/ports/customer-roles';
import type {
  CheckTarget,
  HealthRecord,
  MemberCheckLease,
  MemberHealthStore,
} from '../../../lambdas/ports/member-health';
import type { Integration } from '../../../schemas/api/integrations';
import type { ChangeEvent } from '../../../schemas/events';
import type {
  Connection,
  ConnectionView,
  MemberAccessSummary,
  MemberHealth,
  StackInstance,
} from '../../../schemas/sync';
import { aConnection } from '../../fixtures/records';

const TENANT = 'tenant-a';
/** The member role's current template version. */
const CURRENT = TEMPLATE_VERSIONS['member-account-role'];
const INTEGRATION_ID = '3c2e832c-5d0b-4043-a55c-3f1118238ac7';
const MANAGEMENT = '210000001013';
const RULES = { trustedAccountId: '123456789012', allowedPartitions: ['aws' as const] };
/** The check's execution, as the workflow names it. */
const REF = {
  tenantId: TENANT,
  integrationId: INTEGRATION_ID,
  runId: 'check-20261123T000000Z-3c2e832c',
  correlationId: 'request-1',
};
const SETTINGS: MemberCheckSettings = { concurrency: 3, ratePerSecond: 10, pageSize: 4, marginMs: 1_000 };

const integration = {
  id: INTEGRATION_ID,
  kind: 'organization',
  scope: { level: 'tenant' },
  roleArn: `arn:aws:iam::${MANAGEMENT}:role/Discovery`,
  externalId: 'tenant-a:secret',
  accountId: MANAGEMENT,
  managementAccountId: MANAGEMENT,
  memberRoleStackSet: null,
} as unknown as Integration;

function virtualClock() {
  const clock = {
    time: Date.parse('2026-11-23T00:00:00.000Z'),
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.time += ms;
    },
  };
  return clock;
}

function connection(id: string, disabled = false): Connection {
  return aConnection(
    integration.id,
    { permissions: { share: 'none' }, regions: ['us-east-1', 'eu-south-1'] },
    { id, disabled, roleArn: `arn:aws:iam::${id}:role/OrgConnectionsReadOnly` },
  );
}

/** Health records in memory, with what was written, as the DynamoDB adapter keeps them. */
class MemoryHealth implements MemberHealthStore {
  readonly stored = new Map<string, MemberHealth>();
  readonly events: ChangeEvent[] = [];
  /** The integration's event counter, which the real store moves on in the same write. */
  private sequence = 0;
  summary: MemberAccessSummary | null = null;

  constructor(private readonly all: readonly Connection[]) {}

  async connections(_tenantId: string, _integrationId: string, page: PageRequest) {
    const start = page.cursor === undefined ? 0 : Number(page.cursor);
    const end = start + page.limit;
    return { items: this.all.slice(start, end), nextCursor: end < this.all.length ? String(end) : null };
  }

  async connectionsById(_tenantId: string, _integrationId: string, accountIds: readonly string[]) {
    return this.all.filter((connection) => accountIds.includes(connection.id));
  }

  async health(_tenantId: string, _integrationId: string, accountIds: readonly string[]) {
    return new Map(
      accountIds.flatMap((id) => {
        const health = this.stored.get(id);
        return health ? [[id, health] as const] : [];
      }),
    );
  }

  async record(_tenantId: string, _integrationId: string, records: readonly HealthRecord[]) {
    for (const record of records) {
      this.stored.set(record.accountId, record.health);
      if (record.event) this.events.push(record.event(++this.sequence));
    }
  }

  async summarise(_tenantId: string, _integrationId: string, summary: MemberAccessSummary) {
    this.summary = summary;
  }
}

/** The integration's check lease, as the table keeps it. */
class MemoryLease implements MemberCheckLease {
  holder: { checkId: string; until: number } | null = null;

  async take(target: CheckTarget, until: number, now: number) {
    if (this.holder && this.holder.until >= now && this.holder.checkId !== target.checkId) return false;
    this.holder = { checkId: target.checkId, until };
    return true;
  }

  async release(target: CheckTarget) {
    if (this.holder?.checkId === target.checkId) this.holder = null;
  }
}

type Verdict = 'ok' | 'refuse' | 'throttle';

/** STS by a table: each account's member role lets us in, refuses, or throttles. */
class ScriptedRoles implements CustomerRolesPort {
  inFlight = 0;
  maxInFlight = 0;
  readonly probes: string[] = [];
  stackInstances = new Map<string, StackInstance>();
  stackSetReadable = true;

  constructor(
    readonly verdicts: Record<string, Verdict>,
    private readonly clock: ReturnType<typeof virtualClock>,
  ) {}

  async assumeRole(request: AssumeRoleRequest): Promise<CustomerRoleSession> {
    const { accountId } = request.role;
    if (accountId === MANAGEMENT && request.role.name === 'Discovery') return this.discoverySession();
    this.probes.push(accountId);
    expect(request.externalId).toBe(integration.externalId);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await this.clock.sleep(50);
    this.inFlight -= 1;
    const verdict = this.verdicts[accountId] ?? 'ok';
    if (verdict === 'refuse') throw new RoleRefusedError('refused');
    if (verdict === 'throttle') throw new UpstreamThrottledError('AWS STS');
    return this.memberSession(accountId);
  }

  /** Actions each account's role (or an SCP above it) denies, and the version its tag names. */
  denials = new Map<string, ActionDecision[]>();
  versions = new Map<string, number>();
  simulationRefused = new Set<string>();
  /** Accounts whose role IAM does not know, though STS let us in (deleted since, or an emulator). */
  missing = new Set<string>();
  /** IAM reads through the member roles' sessions. */
  iamCalls = 0;
  /** Each account's enabled regions; absent: us-east-1 and eu-west-1. An account here with null may not read them. */
  regions = new Map<string, string[] | null>();

  private memberSession(accountId: string): CustomerRoleSession {
    return {
      simulate: async (actions) => {
        this.iamCalls += 1;
        if (this.missing.has(accountId))
          throw new RoleMissingError('iam:SimulatePrincipalPolicy', 'NoSuchEntity');
        if (this.simulationRefused.has(accountId))
          throw new PermissionDeniedError('iam:SimulatePrincipalPolicy');
        const denied = this.denials.get(accountId) ?? [];
        return actions.map(
          (action) => denied.find((decision) => decision.action === action) ?? { action, deniedBy: null },
        );
      },
      roleTags: async () => {
        this.iamCalls += 1;
        if (this.missing.has(accountId)) throw new RoleMissingError('iam:ListRoleTags', 'NoSuchEntity');
        return { 'org-connections:template-version': String(this.versions.get(accountId) ?? CURRENT) };
      },
      enabledRegions: async () => {
        const regions = this.regions.get(accountId);
        if (regions === null) throw new PermissionDeniedError('account:ListRegions');
        return regions ?? ['eu-west-1', 'us-east-1'];
      },
    } as Partial<CustomerRoleSession> as CustomerRoleSession;
  }

  private discoverySession(): CustomerRoleSession {
    return {
      expiresAt: undefined,
      stackInstance: async (stackSet, accountId, callAs) => {
        expect(callAs).toBe('SELF');
        if (!this.stackSetReadable) throw new PermissionDeniedError('cloudformation:ListStackInstances');
        expect(stackSet).toEqual({ name: 'member-role', region: 'eu-west-1' });
        return this.stackInstances.get(accountId) ?? null;
      },
    } as CustomerRoleSession;
  }
}

function setup(
  connections: Connection[],
  verdicts: Record<string, Verdict>,
  overrides: Partial<Integration> = {},
  /** Whether a complete check came before, so that accounts without a record are new. */
  checkedBefore = false,
  /** That check's summary, where the test reads it. */
  lastCheck: MemberAccessSummary | null = null,
) {
  const clock = virtualClock();
  const store = new MemoryHealth(connections);
  const roles = new ScriptedRoles(verdicts, clock);
  let target: SyncTarget | undefined = {
    integration: { ...integration, ...overrides },
    deleting: false,
    memberAccess: lastCheck ?? (checkedBefore ? ({} as MemberAccessSummary) : null),
  } as SyncTarget;
  const lease = new MemoryLease();
  // The API takes the lease of an on-demand check before it starts the workflow.
  const askedFor = () => lease.take({ ...REF, checkId: REF.runId }, clock.now() + 7_200_000, clock.now());
  /** The sync runs recorded in the tenant's partition, by id. */
  const runs = new Set<string>();
  const service = makeMemberCheckService({
    state: {
      // The integration item holds the check lease, as the table keeps both in one item.
      target: async () =>
        target && {
          ...target,
          memberCheck: lease.holder && { id: lease.holder.checkId, until: lease.holder.until },
        },
      run: async (ref) => (runs.has(ref.runId) ? ({} as StoredRun) : undefined),
    },
    store,
    lease,
    roles,
    roleRules: RULES,
    settings: SETTINGS,
    clock,
  });
  const check = async () => {
    await askedFor();
    return service.check(REF, null, clock.now() + 3_600_000);
  };
  return { clock, store, roles, lease, runs, service, check, askedFor, remove: () => (target = undefined) };
}

const ACCOUNTS = ['210000002026', '210000003039', '210000004052', '210000005065', '210000006078'];

describe('member role check', () => {
  it('probes every active connection with the External ID, and records ok, denied and error with counts', async () => {
    const { store, roles, check } = setup(
      [...ACCOUNTS.map((id) => connection(id)), connection('210000007091', true)],
      { '210000003039': 'refuse', '210000005065': 'throttle' },
    );

    const progress = await check();

    expect(progress.done).toBe(true);
    expect(new Set(roles.probes)).toEqual(new Set(ACCOUNTS));
    expect(roles.probes.filter((id) => id === '210000005065')).toHaveLength(4); // retried, then given up
    expect(Object.fromEntries([...store.stored].map(([id, health]) => [id, health.status]))).toEqual({
      '210000002026': 'ok',
      '210000003039': 'denied',
      '210000004052': 'ok',
      '210000005065': 'error',
      '210000006078': 'ok',
    });
    expect(store.stored.get('210000003039')).toMatchObject({
      code: 'ROLE_NOT_ASSUMABLE',
      stackInstance: null,
    });
    expect(store.stored.get('210000005065')?.code).toBe('UPSTREAM_THROTTLED');
    expect(store.summary).toMatchObject({
      ok: 3,
      denied: 1,
      notDeployed: 0,
      error: 1,
      stackSetReadable: null,
    });
    expect(roles.maxInFlight).toBeLessThanOrEqual(SETTINGS.concurrency);
    expect(roles.maxInFlight).toBeGreaterThan(1);
  });

  it('announces a connection once when its health changes, and not when a check finds the same', async () => {
    const verdicts: Record<string, Verdict> = {};
    const { store, check, clock } = setup(
      ACCOUNTS.slice(0, 2).map((id) => connection(id)),
      verdicts,
    );

    await check();
    const first = store.events.length;
    const firstCheckedAt = store.stored.get(ACCOUNTS[0] as string)?.checkedAt;
    clock.time += 60_000;
    await check();
    const unchanged = store.events.length;
    verdicts[ACCOUNTS[1] as string] = 'refuse';
    await check();

    expect(first).toBe(2);
    expect(unchanged).toBe(2);
    expect(store.stored.get(ACCOUNTS[0] as string)?.checkedAt).not.toBe(firstCheckedAt);
    expect(store.events).toHaveLength(3);
    const last = store.events[2];
    expect(last?.detailType).toBe('Connection Updated');
    expect(last?.detail).toMatchObject({
      sequence: 3,
      syncRunId: null,
      correlationId: REF.correlationId,
      connection: { id: ACCOUNTS[1], health: { status: 'denied' } },
      changes: [{ field: 'health', from: { status: 'ok' }, to: { status: 'denied' } }],
    });
  });

  it('tells a role the StackSet never deployed from one that is deployed but refuses us', async () => {
    const [missing, failed, deployed] = ACCOUNTS;
    const { store, roles, check } = setup(
      ACCOUNTS.slice(0, 3).map((id) => connection(id)),
      { [missing as string]: 'refuse', [failed as string]: 'refuse', [deployed as string]: 'refuse' },
      { memberRoleStackSet: { name: 'member-role', region: 'eu-west-1' } },
    );
    const instance = (status: string, detailedStatus: string, reason: string | null): StackInstance => ({
      stackSetName: 'member-role',
      region: 'eu-west-1',
      status,
      detailedStatus,
      reason,
    });
    roles.stackInstances.set(failed as string, instance('OUTDATED', 'FAILED', 'Role name already exists'));
    roles.stackInstances.set(deployed as string, instance('CURRENT', 'SUCCEEDED', null));

    await check();

    expect(store.stored.get(missing as string)).toMatchObject({
      status: 'not_deployed',
      code: 'MEMBER_ROLE_NOT_DEPLOYED',
      hint: 'The StackSet has no instance in this account.',
      stackInstance: { status: null },
    });
    expect(store.stored.get(failed as string)).toMatchObject({
      status: 'not_deployed',
      stackInstance: { status: 'OUTDATED', detailedStatus: 'FAILED' },
    });
    expect(store.stored.get(failed as string)?.hint).toContain('Role name already exists');
    expect(store.stored.get(deployed as string)).toMatchObject({
      status: 'denied',
      code: 'ROLE_NOT_ASSUMABLE',
    });
    expect(store.stored.get(deployed as string)?.hint).toContain('deployed here but refuses us');
    expect(store.summary).toMatchObject({ denied: 1, notDeployed: 2, stackSetReadable: true });
  });

  it('keeps a refusal `denied` when the StackSet cannot be read, and says so in the summary', async () => {
    const { store, roles, check } = setup(
      [connection(ACCOUNTS[0] as string)],
      { [ACCOUNTS[0] as string]: 'refuse' },
      { memberRoleStackSet: { name: 'member-role', region: 'eu-west-1' } },
    );
    roles.stackSetReadable = false;

    await check();

    expect(store.stored.get(ACCOUNTS[0] as string)).toMatchObject({ status: 'denied', stackInstance: null });
    expect(store.summary).toMatchObject({ denied: 1, stackSetReadable: false });
  });

  it('stops before the deadline with a cursor, and the next invocation finishes the count', async () => {
    const many = Array.from({ length: 10 }, (_, i) => connection(String(220000000000 + i)));
    const { askedFor, store, service, clock } = setup(many, {});
    const target = REF;

    // Each page of 4 takes about 100 virtual ms; the margin is 1 s: one page fits, then it stops.
    await askedFor();
    const first = await service.check(target, null, clock.now() + 1_050);
    const second = await service.check(target, first, clock.now() + 3_600_000);

    expect(first).toMatchObject({ done: false, cursor: '4', counts: { ok: 4 } });
    expect(store.summary).toMatchObject({ ok: 10, checkedAt: first.startedAt });
    expect(second).toMatchObject({ done: true, cursor: null, counts: { ok: 10 } });
    expect(store.stored.size).toBe(10);
  });

  it('paces the probes to the configured rate', async () => {
    const many = Array.from({ length: 23 }, (_, i) => connection(String(230000000000 + i)));
    const { clock, check } = setup(many, {});
    const started = clock.now();

    await check();

    // A burst of 3, then 20 more at 10 a second: at least 2 s, whatever the concurrency.
    expect(clock.now() - started).toBeGreaterThanOrEqual(2_000);
  });

  it('runs one check of an integration at a time, and gives the lease back when it ends', async () => {
    const many = Array.from({ length: 10 }, (_, i) => connection(String(240000000000 + i)));
    const { askedFor, store, roles, lease, service, clock } = setup(many, {});
    const other = { ...REF, runId: 'check-20261123T000001Z-3c2e832c' };

    // The first stops after a page, still holding the lease; the other finds it held.
    await askedFor();
    const first = await service.check(REF, null, clock.now() + 1_050);
    const probesSoFar = roles.probes.length;
    const skipped = await service.check(other, null, clock.now() + 3_600_000);
    const finished = await service.check(REF, first, clock.now() + 3_600_000);

    expect(first.done).toBe(false);
    expect(skipped.done).toBe(true);
    expect(roles.probes).toHaveLength(10);
    expect(probesSoFar).toBe(4);
    expect(finished.done).toBe(true);
    expect(store.summary).toMatchObject({ ok: 10 });
    expect(lease.holder).toBeNull();
  });

  it('refuses an on-demand check whose lease the tenant never took, as one started for another tenant would be', async () => {
    const { store, roles, lease, service, clock } = setup([connection(ACCOUNTS[0] as string)], {});

    const progress = await service.check(REF, null, clock.now() + 3_600_000);

    expect(progress.done).toBe(true);
    expect(roles.probes).toEqual([]);
    expect(store.stored.size).toBe(0);
    expect(lease.holder).toBeNull();
  });

  it('checks after a sync only when the run that names it is recorded in the tenant', async () => {
    const { roles, runs, service, clock } = setup([connection(ACCOUNTS[0] as string)], {});
    const afterSync = { ...REF, runId: '20261123T000000000Z-3c2e832c' };

    const forged = await service.check(afterSync, null, clock.now() + 3_600_000);
    const probedByForged = roles.probes.length;
    runs.add(afterSync.runId);
    const real = await service.check(afterSync, null, clock.now() + 3_600_000);

    expect([forged.done, probedByForged]).toEqual([true, 0]);
    expect(real.done).toBe(true);
    expect(roles.probes).toEqual([ACCOUNTS[0]]);
  });

  it('records nothing for an integration that is gone', async () => {
    const { store, roles, check, remove } = setup([connection(ACCOUNTS[0] as string)], {});
    remove();

    const progress = await check();

    expect(progress.done).toBe(true);
    expect(roles.probes).toEqual([]);
    expect(store.stored.size).toBe(0);
    expect(store.summary).toBeNull();
  });
});

/** The health a `Connection Updated` event announces. */
function announcedHealth(event: ChangeEvent): MemberHealth {
  return (event.detail as unknown as { connection: { health: MemberHealth } }).connection.health;
}

describe('member role check: permissions and template versions', () => {
  it('names each denied action with its cause, counts the verdicts, and tallies the versions', async () => {
    const [clean, scp, lacking, old] = ACCOUNTS;
    const { store, roles, check } = setup(
      ACCOUNTS.slice(0, 4).map((id) => connection(id)),
      {},
    );
    roles.denials.set(scp as string, [{ action: 'tag:GetResources', deniedBy: 'organizations' }]);
    roles.denials.set(lacking as string, [
      { action: 'ec2:DescribeRegions', deniedBy: 'implicit' },
      { action: 'tag:GetResources', deniedBy: 'boundary' },
    ]);
    roles.simulationRefused.add(old as string);
    roles.versions.set(old as string, 2);

    await check();

    expect(store.stored.get(clean as string)).toMatchObject({
      status: 'ok',
      permissions: { status: 'ok', denied: [] },
      templateVersion: CURRENT,
      outdated: false,
    });
    expect(store.stored.get(scp as string)?.permissions).toEqual({
      status: 'missing',
      denied: [{ action: 'tag:GetResources', cause: 'organizations' }],
      hint: 'A service control policy of your organization denies tag:GetResources.',
    });
    expect(store.stored.get(lacking as string)?.permissions?.hint).toBe(
      "The role's policies do not allow ec2:DescribeRegions; the role's permissions boundary denies tag:GetResources.",
    );
    expect(store.stored.get(old as string)).toMatchObject({
      permissions: { status: 'unknown', denied: [] },
      templateVersion: 2,
      outdated: true,
    });
    expect(store.summary).toMatchObject({
      ok: 4,
      permissions: { ok: 1, missing: 2, unknown: 1 },
      templateVersions: { '2': 1, [CURRENT]: 3 },
    });
  });

  it('announces a change of permission verdict once, and nothing when the next check finds the same', async () => {
    const [account] = ACCOUNTS;
    const { store, roles, check } = setup([connection(account as string)], {});
    await check();
    roles.denials.set(account as string, [{ action: 'tag:GetResources', deniedBy: 'organizations' }]);

    await check();
    await check();
    roles.denials.delete(account as string);
    await check();

    const changes = store.events.map((event) => announcedHealth(event).permissions?.status);
    expect(changes).toEqual(['ok', 'missing', 'ok']);
  });

  it("records the account's enabled regions, announces a change of them once, and none when it may not read them", async () => {
    const [account] = ACCOUNTS;
    const { store, roles, check } = setup([connection(account as string)], {});
    await check();
    roles.regions.set(account as string, ['us-east-1']);

    await check();
    await check();
    roles.regions.set(account as string, null);
    await check();

    const changes = store.events.map((event) => announcedHealth(event).enabledRegions);
    expect(changes).toEqual([['eu-west-1', 'us-east-1'], ['us-east-1'], null]);
    // The event carries the connection as the API shows it: its regions against the account's.
    const shown = store.events.map(
      (event) => (event.detail as unknown as { connection: ConnectionView }).connection,
    );
    expect(
      shown.map(({ effectiveRegions, regionsNotEnabled }) => [effectiveRegions, regionsNotEnabled]),
    ).toEqual([
      [['us-east-1'], ['eu-south-1']],
      [['us-east-1'], ['eu-south-1']],
      [['us-east-1', 'eu-south-1'], []],
    ]);
  });
});

describe('member role check: new accounts wait for their role', () => {
  const stackSet = { memberRoleStackSet: { name: 'member-role', region: 'eu-west-1' } };

  it('reports a new account pending_deployment and comes back after a growing backoff until it is ok', async () => {
    const [known, newcomer] = ACCOUNTS;
    const { askedFor, store, roles, service, clock } = setup(
      [connection(known as string), connection(newcomer as string)],
      { [newcomer as string]: 'refuse' },
      stackSet,
      true,
    );
    store.stored.set(known as string, { status: 'ok' } as MemberHealth);
    const target = REF;
    const deadline = () => clock.now() + 3_600_000;

    await askedFor();
    const first = await service.check(target, null, deadline());
    const second = await service.check(target, first, deadline());
    roles.verdicts[newcomer as string] = 'ok';
    const third = await service.check(target, second, deadline());

    expect(first).toMatchObject({ done: false, pending: [newcomer], retry: 0, waitSeconds: 30 });
    expect(second).toMatchObject({ done: false, pending: [newcomer], retry: 1, waitSeconds: 60 });
    expect(third).toMatchObject({ done: true, pending: [], waitSeconds: 0 });
    expect(store.events.map((event) => announcedHealth(event).status)).toEqual([
      'ok',
      'pending_deployment',
      'ok',
    ]);
    // The pass over the newcomer took back its pending count when it turned ok.
    expect(store.summary).toMatchObject({ ok: 2, pendingDeployment: 0 });
    expect(roles.probes.filter((id) => id === known)).toHaveLength(1);
  });

  it('falls back to not_deployed once the account has waited past the limit', async () => {
    const [newcomer] = ACCOUNTS;
    const { askedFor, store, service, clock } = setup(
      [connection(newcomer as string)],
      { [newcomer as string]: 'refuse' },
      stackSet,
      true,
    );
    const target = REF;

    await askedFor();
    let progress = await service.check(target, null, clock.now() + 3_600_000);
    const statuses = [store.stored.get(newcomer as string)?.status];
    while (!progress.done) {
      await clock.sleep(progress.waitSeconds * 1000);
      progress = await service.check(target, progress, clock.now() + 3_600_000);
      statuses.push(store.stored.get(newcomer as string)?.status);
    }

    expect(statuses.at(-1)).toBe('not_deployed');
    expect(statuses.slice(0, -1).every((status) => status === 'pending_deployment')).toBe(true);
    expect(store.stored.get(newcomer as string)?.code).toBe('MEMBER_ROLE_NOT_DEPLOYED');
    expect(store.summary).toMatchObject({ notDeployed: 1, pendingDeployment: 0 });
  });

  it('does not keep waiting for a deployment that failed, nor for accounts of the first check', async () => {
    const [failed, first] = ACCOUNTS;
    const failing = setup([connection(failed as string)], { [failed as string]: 'refuse' }, stackSet, true);
    failing.roles.stackInstances.set(failed as string, {
      stackSetName: 'member-role',
      region: 'eu-west-1',
      status: 'OUTDATED',
      detailedStatus: 'FAILED',
      reason: 'Role name already exists',
    });
    const initial = setup([connection(first as string)], { [first as string]: 'refuse' }, stackSet, false);

    const failedOutcome = await failing.check();
    const initialOutcome = await initial.check();

    expect(failedOutcome.done).toBe(true);
    expect(failing.store.stored.get(failed as string)?.status).toBe('not_deployed');
    expect(initialOutcome.done).toBe(true);
    expect(initial.store.stored.get(first as string)?.status).toBe('not_deployed');
  });
});

describe('member role check: a role IAM does not know', () => {
  it('is not deployed, a verdict found with one AssumeRole and at most three IAM calls, none retried', async () => {
    const [gone] = ACCOUNTS as [string];
    const { store, roles, check } = setup([connection(gone)], {});
    roles.missing.add(gone);

    const progress = await check();

    expect(progress.done).toBe(true);
    expect(roles.probes).toEqual([gone]);
    expect(roles.iamCalls).toBeLessThanOrEqual(3);
    expect(store.stored.get(gone)).toMatchObject({
      status: 'not_deployed',
      code: 'MEMBER_ROLE_NOT_DEPLOYED',
      hint: expect.stringContaining('NoSuchEntity'),
    });
    expect(store.summary).toMatchObject({ notDeployed: 1, error: 0 });
  });
});

describe('member role check: a targeted check', () => {
  it('probes only connections without a health record, adds their verdicts to the last counts, and keeps its time', async () => {
    const [known, other, newcomer] = ACCOUNTS as [string, string, string];
    const last: MemberAccessSummary = {
      checkedAt: '2026-11-22T12:00:00.000Z',
      ok: 2,
      denied: 0,
      notDeployed: 0,
      pendingDeployment: 0,
      error: 0,
      stackSetReadable: null,
      permissions: { ok: 2, missing: 0, unknown: 0 },
      templateVersions: { [String(CURRENT)]: 2 },
    };
    const { store, roles, service, askedFor, clock } = setup(
      [connection(known), connection(other), connection(newcomer)],
      {},
      {},
      true,
      last,
    );
    for (const id of [known, other]) store.stored.set(id, { status: 'ok' } as MemberHealth);
    await askedFor();

    const progress = await service.check(REF, null, clock.now() + 3_600_000, {
      scope: 'targeted',
      accounts: [],
    });

    expect(roles.probes).toEqual([newcomer]);
    expect(progress).toMatchObject({ done: true, scope: 'targeted' });
    expect(store.summary).toMatchObject({
      checkedAt: last.checkedAt,
      ok: 3,
      permissions: { ok: 3 },
      templateVersions: { [String(CURRENT)]: 3 },
    });
  });

  it('probes the named accounts again beside the new ones, and amends the counts with their new verdicts', async () => {
    const [known, other, newcomer] = ACCOUNTS as [string, string, string];
    const complete = setup([connection(known), connection(other)], { [other]: 'refuse' });
    await complete.check();
    const last = complete.store.summary as MemberAccessSummary;
    expect(last).toMatchObject({ ok: 1, denied: 1 });
    // The role of `other` now lets us in; `newcomer` has just joined.
    const { store, roles, service, askedFor, clock } = setup(
      [connection(known), connection(other), connection(newcomer)],
      {},
      {},
      true,
      last,
    );
    for (const [id, health] of complete.store.stored) store.stored.set(id, health);
    await askedFor();

    await service.check(REF, null, clock.now() + 3_600_000, { scope: 'targeted', accounts: [other] });

    expect(roles.probes.sort()).toEqual([other, newcomer].sort());
    expect(store.summary).toMatchObject({ checkedAt: last.checkedAt, ok: 3, denied: 0 });
    expect(store.stored.get(other)?.status).toBe('ok');
  });

  it('checks every role when no complete check came before', async () => {
    const { roles, service, askedFor, clock } = setup(
      ACCOUNTS.map((id) => connection(id)),
      {},
    );
    await askedFor();

    const progress = await service.check(REF, null, clock.now() + 3_600_000, {
      scope: 'targeted',
      accounts: [ACCOUNTS[0] as string],
    });

    expect(progress.scope).toBe('all');
    expect(roles.probes.sort()).toEqual([...ACCOUNTS].sort());
  });
});
