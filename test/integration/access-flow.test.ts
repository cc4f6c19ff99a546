import { TEMPLATE_VERSIONS } from '../../lambdas/domain/template-versions';
import type { LocalRuntime } from '../../local/runtime';
import type { Integration } from '../../schemas/api/integrations';
import type { PermissionsManifest } from '../../schemas/api/onboarding';
import type { RoleTestReport } from '../../schemas/api/role-test';
import type { Connection, ConnectionView, IntegrationStatusReport, MemberHealth } from '../../schemas/sync';
import { errorCode, localApi } from '../fixtures/local-api';
import { startTestRuntime } from '../fixtures/test-runtime';

jest.setTimeout(90_000);

let runtime: LocalRuntime;
const api = localApi(() => runtime);
const tenant = { tenantId: 'access-flow' };
const stranger = { tenantId: 'someone-else' };
/** A member of another org of the tenant: may not manage a tenant-level integration. */
const outsider = { tenantId: tenant.tenantId, roles: [], orgIds: ['team-b'] };
let integration: Integration;
let externalId: string;

const MEMBER_ROLE = 'OrgConnectionsReadOnly';
/** The member role's current template version. */
const CURRENT = TEMPLATE_VERSIONS['member-account-role'];
const STACK_SET = { name: 'org-connections-member', region: 'us-east-1' };
const INFRASTRUCTURE_OU = 'ou-k3v9-1nfra001';
const SECURITY_OU = 'ou-k3v9-s3cur1ty';
/** In the infrastructure OU, with current roles. */
const NETWORK = '210000005065';
const SHARED_SERVICES = '210000006078';
/** Below the infrastructure OU, in its identity OU. */
const IDENTITY_CENTER = '210000007091';
/** A role whose policy lacks one action. */
const AUDIT = '210000002026';
/** A role from template v2. */
const LOG_ARCHIVE = '210000003039';

const base = () => `/v1/integrations/${integration.id}`;

async function health(accountId: string): Promise<MemberHealth | null> {
  const answer = await api.call(tenant, 'GET', `${base()}/connections/${accountId}`);
  expect(answer.status).toBe(200);
  return (answer.body as ConnectionView).health;
}

async function status(): Promise<IntegrationStatusReport> {
  return (await api.call(tenant, 'GET', `${base()}/status`)).body as IntegrationStatusReport;
}

/** Tests the stored roles again, which checks every member role, and waits for it. */
async function checkAgain(): Promise<void> {
  const answer = await api.call(tenant, 'POST', `${base()}/test`);
  expect(answer.status).toBe(200);
  await runtime.settled();
}

function eventsSince(since: number) {
  return runtime.bus.list(since).map((event) => ({
    type: event['detail-type'],
    detail: event.detail as {
      connection?: Connection & { health?: MemberHealth };
      changes?: { field: string }[];
    },
  }));
}

/** Polls until `probe` answers something defined, as a user refreshing a page would. */
async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('gave up waiting');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function putStackSet(currentIn: readonly string[]) {
  const answer = await api.sandbox('PUT', `/stack-sets/${STACK_SET.name}`, {
    region: STACK_SET.region,
    instances: currentIn.map((accountId) => ({ accountId, status: 'CURRENT', detailedStatus: 'SUCCEEDED' })),
  });
  expect(answer.status).toBe(200);
}

beforeAll(async () => {
  runtime = await startTestRuntime();
  externalId = await api.externalIdOf(tenant.tenantId);
  for (const accountId of [NETWORK, SHARED_SERVICES, IDENTITY_CENTER]) {
    await api.deployRole(accountId, MEMBER_ROLE, externalId);
  }
  await api.deployRole(AUDIT, MEMBER_ROLE, externalId, [], { deniedActions: ['tag:GetResources'] });
  await api.deployRole(LOG_ARCHIVE, MEMBER_ROLE, externalId, [], { templateVersion: 2 });
  await putStackSet([NETWORK, SHARED_SERVICES, IDENTITY_CENTER, AUDIT, LOG_ARCHIVE]);
  integration = await api.createOrganizationIntegration(tenant, {
    handle: 'access',
    memberRoleStackSet: STACK_SET,
    permissions: { share: 'all' },
  });
  await runtime.settled();
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

describe('the permissions manifest', () => {
  it('lists each role’s actions with their reasons, and the current template versions', async () => {
    const answer = await api.call(tenant, 'GET', '/v1/aws/permissions');

    expect(answer.status).toBe(200);
    const manifest = answer.body as PermissionsManifest;
    expect(manifest.roles.map((role) => role.kind)).toEqual(['discovery', 'member-read', 'member-full']);
    const discovery = manifest.roles[0]?.actions ?? [];
    expect(discovery).toContainEqual(
      expect.objectContaining({ action: 'organizations:ListAccountsForParent', grantedBy: 'template' }),
    );
    expect(discovery.every((entry) => entry.reason.length > 0)).toBe(true);
    expect(manifest.templateVersions).toEqual(TEMPLATE_VERSIONS);
    expect(manifest.templateVersionTag).toBe('org-connections:template-version');
  });
});

describe('a permission check that names the cause', () => {
  it('finds the action a role lacks, cause implicit, and a role whose template is outdated', async () => {
    expect(await health(NETWORK)).toMatchObject({
      status: 'ok',
      permissions: { status: 'ok', denied: [] },
      templateVersion: CURRENT,
      outdated: false,
    });
    expect((await health(AUDIT))?.permissions).toEqual({
      status: 'missing',
      denied: [{ action: 'tag:GetResources', cause: 'implicit' }],
      hint: "The role's policies do not allow tag:GetResources.",
    });
    // A v2 role may read its tags but not simulate its policies.
    expect(await health(LOG_ARCHIVE)).toMatchObject({
      status: 'ok',
      permissions: { status: 'unknown' },
      templateVersion: 2,
      outdated: true,
    });
  });

  it('summarises the verdicts and the versions in the status, with the way to update', async () => {
    const report = await status();

    expect(report.memberAccess?.permissions).toMatchObject({ missing: 1, unknown: 1 });
    expect(report.memberTemplates).toMatchObject({ current: CURRENT, outdated: 1 });
    expect(report.memberTemplates?.summary).toMatch(
      new RegExp(`^1 account runs v2, \\d+ accounts run v${CURRENT}; current is v${CURRENT}$`),
    );
    expect(report.memberTemplates?.update).toContain(`the StackSet ${STACK_SET.name}`);
    expect(report.memberTemplates?.update).toContain('/local/templates/member-account-role.yaml');
  });

  it('an SCP on an OU shows as `organizations` for the accounts below it, and its removal as ok, one event each', async () => {
    const put = await api.sandbox('PUT', `/policies/${INFRASTRUCTURE_OU}`, {
      denyActions: ['ec2:DescribeRegions'],
    });
    expect(put.status).toBe(200);
    const since = runtime.bus.list().length;
    await checkAgain();
    const denied = eventsSince(since);

    for (const accountId of [NETWORK, SHARED_SERVICES, IDENTITY_CENTER]) {
      expect((await health(accountId))?.permissions).toMatchObject({
        status: 'missing',
        denied: [{ action: 'ec2:DescribeRegions', cause: 'organizations' }],
      });
    }
    expect((await health(NETWORK))?.permissions?.hint).toBe(
      'A service control policy of your organization denies ec2:DescribeRegions.',
    );
    expect(denied.map((event) => event.detail.connection?.id).sort()).toEqual(
      [NETWORK, SHARED_SERVICES, IDENTITY_CENTER].sort(),
    );

    expect((await api.sandbox('DELETE', `/policies/${INFRASTRUCTURE_OU}`)).status).toBe(204);
    const cleared = runtime.bus.list().length;
    await checkAgain();
    const restored = eventsSince(cleared);

    expect((await health(NETWORK))?.permissions?.status).toBe('ok');
    expect(restored.map((event) => event.type)).toEqual([
      'Connection Updated',
      'Connection Updated',
      'Connection Updated',
    ]);
    expect(restored.map((event) => event.detail.connection?.id).sort()).toEqual(
      [NETWORK, SHARED_SERVICES, IDENTITY_CENTER].sort(),
    );
  });

  it('a role test names a denied action and its cause, and an outdated discovery role comes with a link', async () => {
    const management = runtime.sandbox?.managementAccountId ?? '';
    const roleArn = await api.deployRole(management, 'OldDiscovery', externalId, [], { templateVersion: 2 });
    const lacking = await api.deployRole(management, 'LackingDiscovery', externalId, [], {
      deniedActions: ['organizations:ListTagsForResource'],
    });

    const old = await api.call(tenant, 'POST', '/v1/aws/test-connection', { kind: 'organization', roleArn });
    const refused = await api.call(tenant, 'POST', '/v1/aws/test-connection', {
      kind: 'organization',
      roleArn: lacking,
    });

    expect(old.status).toBe(200);
    const report = old.body as RoleTestReport;
    expect(report).toMatchObject({ ok: true, templateVersion: 2, outdated: true });
    expect(report.updateUrl).toContain('#/stacks/quickcreate?');
    expect(report.checks.find((check) => check.check === 'permissions')?.status).toBe('warning');
    expect(refused.status).toBe(422);
    expect(errorCode(refused.body)).toBe('MISSING_PERMISSIONS');
    const details = (refused.body as { error: { details: { denied: unknown } } }).error.details;
    expect(details.denied).toEqual([{ action: 'organizations:ListTagsForResource', cause: 'implicit' }]);
  });
});

describe('a say over new accounts', () => {
  let held: string;

  beforeAll(async () => {
    const patched = await api.patchCurrent(tenant, base(), { newAccounts: 'hold' });
    expect(patched.status).toBe(200);
    await runtime.settled();
  });

  it('mirrors an account that joins as held, unshared, and counts it; it waits for its role', async () => {
    const since = runtime.bus.list().length;
    const created = await api.sandbox('POST', '/accounts', {
      name: 'Fresh Team',
      email: 'fresh@example.com',
      parentId: SECURITY_OU,
    });
    held = (created.body as { id: string }).id;

    const waiting = await eventually(async () => {
      const found = await health(held).catch(() => null);
      return found?.status === 'pending_deployment' ? found : undefined;
    });

    expect(waiting).toMatchObject({ code: null, stackInstance: { status: null } });
    const createdEvent = eventsSince(since).find((event) => event.type === 'Connection Created');
    expect(createdEvent?.detail.connection).toMatchObject({ id: held, held: true });
    expect((await status()).counts.held).toBe(1);
    const workspace = await api.call(tenant, 'GET', '/v1/workspaces/ws-1/connections?limit=100');
    const shared = (workspace.body as { items: { connection: { id: string } }[] }).items;
    expect(shared.map((entry) => entry.connection.id)).not.toContain(held);

    // The StackSet reaches the account: the next pass finds the role.
    await api.deployRole(held, MEMBER_ROLE, externalId);
    await putStackSet([NETWORK, SHARED_SERVICES, IDENTITY_CENTER, AUDIT, LOG_ARCHIVE, held]);
    await runtime.settled();
    expect((await health(held))?.status).toBe('ok');
  });

  it('refuses approve and reject to someone who may not manage the integration, and hides them from another tenant', async () => {
    const forbidden = await api.call(outsider, 'POST', `${base()}/connections/${held}/approve`);
    const hidden = await api.call(stranger, 'POST', `${base()}/connections/${held}/reject`);

    expect([forbidden.status, hidden.status]).toEqual([403, 404]);
    expect(errorCode(forbidden.body)).toBe('FORBIDDEN');
    expect((await status()).counts.held).toBe(1);
  });

  it('approve releases it: Connection Updated, and it is shared as its folder says', async () => {
    const since = runtime.bus.list().length;

    const answer = await api.call(tenant, 'POST', `${base()}/connections/${held}/approve`);
    await runtime.settled();

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: held, held: false });
    const updates = eventsSince(since).filter((event) => event.type === 'Connection Updated');
    expect(updates.map((event) => event.detail.changes?.map((change) => change.field))).toContainEqual(
      expect.arrayContaining(['held']),
    );
    const workspace = await api.call(tenant, 'GET', '/v1/workspaces/ws-1/connections?limit=100');
    const shared = (workspace.body as { items: { connection: { id: string } }[] }).items;
    expect(shared.map((entry) => entry.connection.id)).toContain(held);
    expect((await status()).counts.held).toBe(0);
  });

  it('reject keeps an account out: Connection Deleted, excluded by the filters, and gone after a full sync', async () => {
    const since = runtime.bus.list().length;
    const created = await api.sandbox('POST', '/accounts', {
      name: 'Unwanted',
      email: 'unwanted@example.com',
      parentId: SECURITY_OU,
    });
    const unwanted = (created.body as { id: string }).id;
    await eventually(async () => {
      const answer = await api.call(tenant, 'GET', `${base()}/connections/${unwanted}`);
      return answer.status === 200 ? true : undefined;
    });
    const notHeld = await api.call(tenant, 'POST', `${base()}/connections/${NETWORK}/reject`);

    const answer = await api.call(tenant, 'POST', `${base()}/connections/${unwanted}/reject`);
    await runtime.settled();
    const sync = await api.call(tenant, 'POST', `${base()}/sync`);
    await runtime.settled();

    expect(notHeld.status).toBe(409);
    expect(errorCode(notHeld.body)).toBe('CONNECTION_NOT_HELD');
    expect(answer.status).toBe(204);
    expect(sync.status).toBe(202);
    expect((await api.call(tenant, 'GET', `${base()}/connections/${unwanted}`)).status).toBe(404);
    const stored = (await api.call(tenant, 'GET', base())).body as Integration;
    expect(stored.filters?.accounts.exclude).toEqual([unwanted]);
    const types = eventsSince(since)
      .filter((event) => event.detail.connection?.id === unwanted)
      .map((event) => event.type);
    expect(types.filter((type) => type === 'Connection Deleted')).toHaveLength(1);
    expect(types.filter((type) => type === 'Connection Created')).toHaveLength(1);
  });
});
