import { UpstreamThrottledError } from '../../../lambdas/core/errors';
import type { HealthRecord, MemberHealthStore } from '../../../lambdas/health/ports';
import { type MemberCheckSettings, makeMemberCheckService } from '../../../lambdas/health/service';
import {
  type AssumeRoleRequest,
  type CustomerRoleSession,
  type CustomerRolesPort,
  PermissionDeniedError,
  RoleRefusedError,
} from '../../../lambdas/ports/customer-roles';
import type { SyncTarget } from '../../../lambdas/sync/ports';
import type { Integration } from '../../../schemas/api/integrations';
import type { ChangeEvent } from '../../../schemas/events';
import type { Connection, MemberAccessSummary, MemberHealth, StackInstance } from '../../../schemas/sync';

const TENANT = 'tenant-a';
const INTEGRATION_ID = '3c2e832c-5d0b-4043-a55c-3f1118238ac7';
const MANAGEMENT = '210000001013';
const RULES = { trustedAccountId: '123456789012', allowedPartitions: ['aws' as const] };
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
  return {
    id,
    disabled,
    roleArn: `arn:aws:iam::${id}:role/OrgConnectionsReadOnly`,
  } as unknown as Connection;
}

/** Health records in memory, with what was written, as the DynamoDB adapter keeps them. */
class MemoryHealth implements MemberHealthStore {
  readonly stored = new Map<string, MemberHealth>();
  readonly events: ChangeEvent[] = [];
  /** The integration's event counter, which the real store moves on in the same write. */
  private sequence = 0;
  summary: MemberAccessSummary | null = null;

  constructor(private readonly all: readonly Connection[]) {}

  async connections(_tenantId: string, _integrationId: string, page: { limit: number; cursor?: string }) {
    const start = page.cursor === undefined ? 0 : Number(page.cursor);
    const end = start + page.limit;
    return { items: this.all.slice(start, end), nextCursor: end < this.all.length ? String(end) : null };
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

type Verdict = 'ok' | 'refuse' | 'throttle';

/** STS by a table: each account's member role lets us in, refuses, or throttles. */
class ScriptedRoles implements CustomerRolesPort {
  inFlight = 0;
  maxInFlight = 0;
  readonly probes: string[] = [];
  stackInstances = new Map<string, StackInstance>();
  stackSetReadable = true;

  constructor(
    private readonly verdicts: Record<string, Verdict>,
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
    return {} as CustomerRoleSession;
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
) {
  const clock = virtualClock();
  const store = new MemoryHealth(connections);
  const roles = new ScriptedRoles(verdicts, clock);
  let target: SyncTarget | undefined = {
    integration: { ...integration, ...overrides },
    deleting: false,
  } as SyncTarget;
  const service = makeMemberCheckService({
    state: {
      target: async () => target,
    },
    store,
    roles,
    roleRules: RULES,
    settings: SETTINGS,
    clock,
  });
  const check = () =>
    service.check({ tenantId: TENANT, integrationId: INTEGRATION_ID }, null, clock.now() + 3_600_000);
  return { clock, store, roles, service, check, remove: () => (target = undefined) };
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
    const { store, service, clock } = setup(many, {});
    const target = { tenantId: TENANT, integrationId: INTEGRATION_ID };

    // Each page of 4 takes about 100 virtual ms; the margin is 1 s: one page fits, then it stops.
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
