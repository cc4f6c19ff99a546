import type { LocalRuntime } from '../../local/runtime';
import type { Integration } from '../../schemas/api/integrations';
import type { ConnectionView, MemberAccessSummary, MirrorNode } from '../../schemas/sync';
import { errorCode, localApi } from '../fixtures/local-api';
import { startTestRuntime } from '../fixtures/test-runtime';

jest.setTimeout(60_000);

let runtime: LocalRuntime;
const api = localApi(() => runtime);
const tenant = { tenantId: 'health-flow' };
const stranger = { tenantId: 'someone-else' };
let integration: Integration;

const MEMBER_ROLE = 'OrgConnectionsReadOnly';
const STACK_SET = { name: 'org-connections-member', region: 'us-east-1' };
/** The role is there with the tenant's External ID. (The management account's connection uses the discovery role.) */
const NETWORK = '210000005065';
const SHARED_SERVICES = '210000006078';
/** The StackSet deployed the role with an old External ID: it refuses us. */
const IDENTITY_CENTER = '210000007091';
/** The StackSet's instance failed here: no role. */
const LOG_ARCHIVE = '210000003039';
/** The StackSet never reached this account. */
const AUDIT = '210000002026';
/** Suspended: not an active connection, so never probed. */
const SUSPENDED = '210000019247';

const base = () => `/v1/integrations/${integration.id}`;

async function connection(accountId: string): Promise<ConnectionView> {
  const answer = await api.call(tenant, 'GET', `${base()}/connections/${accountId}`);
  expect(answer.status).toBe(200);
  return answer.body as ConnectionView;
}

async function memberAccess(): Promise<MemberAccessSummary | null> {
  const answer = await api.call(tenant, 'GET', `${base()}/status`);
  return (answer.body as { memberAccess: MemberAccessSummary | null }).memberAccess;
}

function healthEventsSince(since: number) {
  return runtime.bus
    .list(since)
    .filter((event) => event['detail-type'] === 'Connection Updated')
    .map((event) => event.detail as { connection: ConnectionView; changes: { field: string }[] })
    .filter((detail) => detail.changes.some((change) => change.field === 'health'));
}

async function putStackSet(failedHere: string | null) {
  const instance = (accountId: string) => ({ accountId, status: 'CURRENT', detailedStatus: 'SUCCEEDED' });
  const answer = await api.sandbox('PUT', `/stack-sets/${STACK_SET.name}`, {
    region: STACK_SET.region,
    instances: [
      instance(NETWORK),
      instance(SHARED_SERVICES),
      instance(IDENTITY_CENTER),
      failedHere === null
        ? instance(LOG_ARCHIVE)
        : {
            accountId: LOG_ARCHIVE,
            status: 'OUTDATED',
            detailedStatus: 'FAILED',
            reason: 'Role OrgConnectionsReadOnly already exists',
          },
    ],
  });
  expect(answer.status).toBe(200);
}

beforeAll(async () => {
  runtime = await startTestRuntime();
  const externalId = await api.externalIdOf(tenant.tenantId);
  await api.deployRole(NETWORK, MEMBER_ROLE, externalId);
  await api.deployRole(SHARED_SERVICES, MEMBER_ROLE, externalId);
  await api.deployRole(IDENTITY_CENTER, MEMBER_ROLE, 'health-flow:an-old-external-id');
  await putStackSet(LOG_ARCHIVE);
  integration = await api.createOrganizationIntegration(tenant, {
    handle: 'checked',
    memberRoleStackSet: STACK_SET,
  });
  await runtime.settled();
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

describe('member role health', () => {
  it('checks every active connection after the initial sync and tells each failure apart', async () => {
    expect((await connection(NETWORK)).health).toMatchObject({ status: 'ok', code: null });
    expect((await connection(SHARED_SERVICES)).health?.status).toBe('ok');
    expect((await connection(IDENTITY_CENTER)).health).toMatchObject({
      status: 'denied',
      code: 'ROLE_NOT_ASSUMABLE',
      stackInstance: { stackSetName: STACK_SET.name, status: 'CURRENT', detailedStatus: 'SUCCEEDED' },
    });
    const logArchive = (await connection(LOG_ARCHIVE)).health;
    expect(logArchive).toMatchObject({
      status: 'not_deployed',
      code: 'MEMBER_ROLE_NOT_DEPLOYED',
      stackInstance: { status: 'OUTDATED', detailedStatus: 'FAILED' },
    });
    expect(logArchive?.hint).toContain('already exists');
    expect((await connection(AUDIT)).health).toMatchObject({
      status: 'not_deployed',
      hint: 'The StackSet has no instance in this account.',
    });
    expect((await connection(SUSPENDED)).health).toBeNull();
  });

  it('summarises the check in the status, one count per active connection', async () => {
    const tree = await api.call(tenant, 'GET', `${base()}/tree?limit=100`);
    const connections = (tree.body as { items: MirrorNode[] }).items.filter(
      (node): node is ConnectionView => node.type === 'connection',
    );
    const active = connections.filter((node) => !node.disabled);

    const summary = await memberAccess();

    // ok: network, shared-services, and the management account through the discovery role.
    expect(summary).toMatchObject({ ok: 3, denied: 1, error: 0, stackSetReadable: true });
    expect(summary?.notDeployed).toBe(active.length - 4);
    // The tree carries each connection's health too.
    expect(active.every((node) => node.health !== null)).toBe(true);
    expect(connections.filter((node) => node.disabled).every((node) => node.health === null)).toBe(true);
  });

  it('says when every member role is next checked if nothing changes: a day after the last check', async () => {
    const status = await api.call(tenant, 'GET', `${base()}/status`);
    const { memberAccess: summary, memberCheckDueAt } = status.body as {
      memberAccess: MemberAccessSummary;
      memberCheckDueAt: string;
    };

    expect(Date.parse(memberCheckDueAt) - Date.parse(summary.checkedAt)).toBe(24 * 3600 * 1000);
  });

  it('on demand, tests the stored role again and announces exactly the connections whose health changed', async () => {
    await api.deployRole(LOG_ARCHIVE, MEMBER_ROLE, await api.externalIdOf(tenant.tenantId));
    await putStackSet(null);
    const since = runtime.bus.list().length;
    const before = await memberAccess();

    const answer = await api.call(tenant, 'POST', `${base()}/test`);
    await runtime.settled();

    expect(answer.status).toBe(200);
    const body = answer.body as { report: { ok: boolean }; memberCheck: { id: string; status: string } };
    expect(body.report.ok).toBe(true);
    expect(body.memberCheck).toMatchObject({ id: expect.stringMatching(/^check-/), status: 'started' });
    const events = healthEventsSince(since);
    expect(events.map((event) => event.connection.id)).toEqual([LOG_ARCHIVE]);
    expect(events[0]?.connection.health).toMatchObject({ status: 'ok' });
    const after = await memberAccess();
    expect(after).toMatchObject({ ok: 4, notDeployed: (before?.notDeployed ?? 0) - 1 });
    expect(Date.parse(after?.checkedAt ?? '')).toBeGreaterThan(Date.parse(before?.checkedAt ?? ''));
  });

  it('runs one member check at a time: a test during a check answers that check, and starts none', async () => {
    const first = await api.call(tenant, 'POST', `${base()}/test`);
    const second = await api.call(tenant, 'POST', `${base()}/test`);
    await runtime.settled();
    const third = await api.call(tenant, 'POST', `${base()}/test`);
    await runtime.settled();

    const checkOf = (answer: { body: unknown }) =>
      (answer.body as { memberCheck: { id: string; status: string } }).memberCheck;
    expect(checkOf(first)).toMatchObject({
      id: expect.stringMatching(/^check-\d{8}T\d+Z-[0-9a-f]{8}$/),
      status: 'started',
    });
    expect(checkOf(second)).toEqual({ id: checkOf(first).id, status: 'running' });
    // Once it ended and gave its lease back, the next test starts a check of its own.
    expect(checkOf(third).status).toBe('started');
    expect(checkOf(third).id).not.toBe(checkOf(first).id);
  });

  it('answers a failed test of the stored role with its code, and starts no check', async () => {
    // The customer rotated the trust policy's External ID away from the one we hold.
    const management = runtime.sandbox?.managementAccountId ?? '';
    await api.deployRole(management, 'OrgConnectionsDiscovery', 'health-flow:rotated-elsewhere');
    const before = await memberAccess();

    const answer = await api.call(tenant, 'POST', `${base()}/test`);
    await runtime.settled();

    expect(answer.status).toBe(422);
    expect(errorCode(answer.body)).toBe('ROLE_NOT_ASSUMABLE');
    expect(await memberAccess()).toEqual(before);
    await api.deployRole(management, 'OrgConnectionsDiscovery', await api.externalIdOf(tenant.tenantId));
  });

  it('hides the routes from another tenant: 404, and nothing checked', async () => {
    const before = await memberAccess();

    const test = await api.call(stranger, 'POST', `${base()}/test`);
    const read = await api.call(stranger, 'GET', `${base()}/connections/${NETWORK}`);
    await runtime.settled();

    expect([test.status, read.status]).toEqual([404, 404]);
    expect(await memberAccess()).toEqual(before);
  });
});
