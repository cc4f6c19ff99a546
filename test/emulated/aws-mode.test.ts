import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CloseAccountCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  DescribeAccountCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
  TagResourceCommand,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { TEMPLATE_VERSION_TAG, TEMPLATE_VERSIONS } from '../../lambdas/domain/template-versions';
import { DEFAULT_LOCAL_CONFIG, type LocalConfig } from '../../local/config';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import type { Integration } from '../../schemas/api/integrations';
import type { RoleTestReport } from '../../schemas/api/role-test';
import type { ConnectionView, MirrorNode, SyncRun } from '../../schemas/sync';
import { localApi } from '../fixtures/local-api';
import { mirrorShape } from '../fixtures/mirror';
import { type MotoServer, startMoto } from './moto-server';

/** The platform's account: the runtime must learn it from GetCallerIdentity, not its default. */
const PLATFORM_ACCOUNT = '999888777666';
/** The customer's management account, where the organization is created. */
const MANAGEMENT_ACCOUNT = '210987654321';
const DISCOVERY_ROLE = `arn:aws:iam::${MANAGEMENT_ACCOUNT}:role/OrgConnectionsDiscovery`;

let moto: MotoServer;
let runtime: LocalRuntime;
let stateDir: string;
const api = localApi(() => runtime);
const tenant = { tenantId: 'emulated' };
const savedEnv = { ...process.env };

interface Seeded {
  readonly folders: { id: string; parentId: string; name: string }[];
  readonly connections: { id: string; parentId: string; name: string; state: string; disabled: boolean }[];
  /** Tags put on one OU and one account, by id. */
  readonly tags: Record<string, Record<string, string>>;
}
let seeded: Seeded;

/** Credentials of a role session in `accountId`: moto signs its answers by the role's account. */
async function credentialsIn(accountId: string, roleName: string) {
  const sts = new STSClient(moto.clientConfig);
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/${roleName}`, RoleSessionName: 'seed' }),
  );
  sts.destroy();
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('moto issued no credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/**
 * A customer organization three OU levels deep with 33 accounts (the management one included):
 * 24 accounts in one OU, so its listing takes two pages, and one account closed. The discovery
 * role is deployed in the management account, as its template would; no member role is.
 */
async function seedOrganization(): Promise<Seeded> {
  const credentials = await credentialsIn(MANAGEMENT_ACCOUNT, 'OrganizationAccountAccessRole');
  const iam = new IAMClient({ ...moto.clientConfig, credentials });
  await iam.send(
    new CreateRoleCommand({
      RoleName: DISCOVERY_ROLE.split('/').at(-1),
      // moto enforces no trust policy; the document only has to be one.
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: PLATFORM_ACCOUNT }, Action: 'sts:AssumeRole' }],
      }),
      Tags: [{ Key: TEMPLATE_VERSION_TAG, Value: String(TEMPLATE_VERSIONS['management-account-role']) }],
    }),
  );
  iam.destroy();
  const organizations = new OrganizationsClient({ ...moto.clientConfig, credentials });
  await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const { Roots } = await organizations.send(new ListRootsCommand({}));
  const rootId = Roots?.[0]?.Id ?? '';
  const folders: Seeded['folders'] = [];
  async function ou(name: string, parentId: string): Promise<string> {
    const { OrganizationalUnit } = await organizations.send(
      new CreateOrganizationalUnitCommand({ Name: name, ParentId: parentId }),
    );
    const id = OrganizationalUnit?.Id ?? '';
    folders.push({ id, parentId, name });
    return id;
  }
  const workloads = await ou('Workloads', rootId);
  const security = await ou('Security', rootId);
  const prod = await ou('Prod', workloads);
  await ou('NonProd', workloads);
  const web = await ou('Web', prod);
  const payments = await ou('Payments', prod);

  const connections: Seeded['connections'] = [
    { id: MANAGEMENT_ACCOUNT, parentId: rootId, name: 'master', state: 'ACTIVE', disabled: false },
  ];
  const placements = [
    ...Array.from({ length: 24 }, (_, i) => [`web-${i}`, web] as const),
    ...Array.from({ length: 4 }, (_, i) => [`payments-${i}`, payments] as const),
    ['audit', security],
    ['log-archive', security],
    ['sandbox-1', rootId],
    ['sandbox-2', rootId],
  ] as const;
  for (const [name, parentId] of placements) {
    const { CreateAccountStatus } = await organizations.send(
      new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }),
    );
    const id = CreateAccountStatus?.AccountId ?? '';
    if (parentId !== rootId) {
      await organizations.send(
        new MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: parentId }),
      );
    }
    connections.push({ id, parentId, name, state: 'ACTIVE', disabled: false });
  }
  const closing = connections.find((account) => account.name === 'sandbox-2');
  if (!closing) throw new Error('no account to close');
  await organizations.send(new CloseAccountCommand({ AccountId: closing.id }));
  const { Account } = await organizations.send(new DescribeAccountCommand({ AccountId: closing.id }));
  closing.state = Account?.State ?? 'ACTIVE';
  closing.disabled = closing.state !== 'ACTIVE';
  const audit = connections.find((account) => account.name === 'audit')?.id ?? '';
  const tags: Seeded['tags'] = {
    [security]: { owner: 'security-team' },
    [audit]: { team: 'security', 'cost-center': '42' },
  };
  for (const [id, pairs] of Object.entries(tags)) {
    const Tags = Object.entries(pairs).map(([Key, Value]) => ({ Key, Value }));
    await organizations.send(new TagResourceCommand({ ResourceId: id, Tags }));
  }
  organizations.destroy();
  return { folders, connections, tags };
}

function start(config: Partial<LocalConfig>): Promise<LocalRuntime> {
  return startLocalRuntime({ ...DEFAULT_LOCAL_CONFIG, port: 0, stateDir, ...config });
}

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'org-connections-'));
  moto = await startMoto();
  seeded = await seedOrganization();
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
  await moto?.stop();
  process.env = savedEnv;
  await rm(stateDir, { recursive: true, force: true });
});

jest.setTimeout(120_000);

describe('npm start -- --aws against moto', () => {
  it('refuses --emulator without an emulator endpoint, and without --aws', async () => {
    delete process.env.AWS_ENDPOINT_URL;
    delete process.env.AWS_ENDPOINT_URL_STS;

    await expect(start({ mode: 'aws', emulator: true })).rejects.toThrow(
      '--emulator needs AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_STS) naming the emulator',
    );
    await expect(start({ mode: 'sandbox', emulator: true })).rejects.toThrow(
      '--emulator goes only with --aws',
    );
  });

  it('takes the platform account from GetCallerIdentity', async () => {
    const platform = await credentialsIn(PLATFORM_ACCOUNT, 'Platform');
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: platform.accessKeyId,
      AWS_SECRET_ACCESS_KEY: platform.secretAccessKey,
      AWS_SESSION_TOKEN: platform.sessionToken,
    });

    runtime = await start({ mode: 'aws', emulator: true });

    expect(runtime.config.trustedAccountId).toBe(PLATFORM_ACCOUNT);
    expect(runtime.sandbox).toBeUndefined();
  });

  it('passes the role test with the unenforceable External ID probes and the missing simulation as warnings', async () => {
    const answer = await api.call(tenant, 'POST', '/v1/aws/test-connection', {
      kind: 'organization',
      roleArn: DISCOVERY_ROLE,
    });

    expect(answer.status).toBe(200);
    const report = answer.body as RoleTestReport;
    expect(report).toMatchObject({ ok: true, accountId: MANAGEMENT_ACCOUNT });
    expect(report.organization?.managementAccountId).toBe(MANAGEMENT_ACCOUNT);
    expect(report.checks.filter((check) => check.status === 'warning').map((check) => check.check)).toEqual([
      'refuses-without-external-id',
      'refuses-wrong-external-id',
      'permissions',
    ]);
    // moto has no IAM policy simulation: the verdict is unknown, never a failure.
    const permissions = report.checks.find((check) => check.check === 'permissions');
    expect(permissions?.message).toMatch(/^We could not check the role's permissions\./);
    expect(report.checks.every((check) => check.status !== 'failed' && check.status !== 'skipped')).toBe(
      true,
    );
  });

  it('discovers the organization through the real SDK adapters, and the mirror equals it', async () => {
    const created = await api.call(tenant, 'POST', '/v1/integrations', {
      kind: 'organization',
      roleArn: DISCOVERY_ROLE,
      handle: 'emulated',
      scope: { level: 'tenant' },
      regions: ['us-east-1'],
      tags: { read: true },
    });
    expect(created.status).toBe(201);
    const integration = created.body as Integration;
    await runtime.settled();

    const tree = await api.call(tenant, 'GET', `/v1/integrations/${integration.id}/tree?limit=100`);
    const runs = await api.call(tenant, 'GET', `/v1/integrations/${integration.id}/runs`);

    const nodes = (tree.body as { items: MirrorNode[] }).items;
    const byId = <T extends { id: string }>(items: T[]) =>
      [...items].sort((a, b) => a.id.localeCompare(b.id));
    expect(mirrorShape(nodes)).toEqual({
      folders: byId(seeded.folders),
      connections: byId(seeded.connections),
    });
    expect(seeded.connections).toHaveLength(33);
    expect(seeded.connections.filter((account) => account.disabled)).toHaveLength(1);
    // ListTagsForResource through the real adapter: an account's and an OU's tags, and none elsewhere.
    const tagged = Object.fromEntries(
      nodes.flatMap((node) => (node.tags && Object.keys(node.tags).length > 0 ? [[node.id, node.tags]] : [])),
    );
    expect(tagged).toEqual(seeded.tags);
    expect(nodes.every((node) => node.tags !== undefined)).toBe(true);
    const [run] = (runs.body as { items: SyncRun[] }).items;
    expect(run?.status).toBe('succeeded');
    const changes = runtime.bus.list().filter((event) => event['detail-type'].endsWith('Created'));
    expect(changes).toHaveLength(1 + seeded.folders.length + seeded.connections.length);
    // The management account's connection uses the discovery role, which moto lets in: its
    // permissions cannot be simulated there, so the member check calls them unknown.
    const management = await api.call(
      tenant,
      'GET',
      `/v1/integrations/${integration.id}/connections/${MANAGEMENT_ACCOUNT}`,
    );
    expect((management.body as ConnectionView).health).toMatchObject({
      status: 'ok',
      permissions: { status: 'unknown', denied: [] },
    });
    // moto has no Account Management ListRegions: the regions stay unknown and are not narrowed.
    expect(management.body).toMatchObject({ enabledRegions: null, effectiveRegions: ['us-east-1'] });
    // No member role exists; moto lets us assume it anyway, and IAM then answers NoSuchEntity.
    const member = seeded.connections.find((connection) => connection.name === 'audit')?.id;
    const audit = await api.call(tenant, 'GET', `/v1/integrations/${integration.id}/connections/${member}`);
    expect((audit.body as ConnectionView).health).toMatchObject({
      status: 'not_deployed',
      code: 'MEMBER_ROLE_NOT_DEPLOYED',
    });
  });
});
