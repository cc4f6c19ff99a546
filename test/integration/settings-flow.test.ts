import type { LocalRuntime } from '../../local/runtime';
import type { Integration } from '../../schemas/api/integrations';
import type { WorkspaceConnection } from '../../schemas/api/workspaces';
import type { Connection, Folder, MirrorNode } from '../../schemas/sync';
import { type Caller, errorCode, localApi } from '../fixtures/local-api';
import { startTestRuntime } from '../fixtures/test-runtime';

jest.setTimeout(60_000);

let runtime: LocalRuntime;
const api = localApi(() => runtime);
const tenant = { tenantId: 'settings-flow' };
const stranger = { tenantId: 'someone-else' };
let integration: Integration;

/** In the sandbox organization: Infrastructure holds two accounts and the OU Identity (one more). */
const INFRASTRUCTURE = 'ou-k3v9-1nfra001';
const IDENTITY = 'ou-k3v9-1dent1ty';
const INFRASTRUCTURE_ACCOUNTS = ['210000005065', '210000006078', '210000007091'];
const IDENTITY_CENTER = '210000007091';
const NETWORK = '210000005065';

beforeAll(async () => {
  runtime = await startTestRuntime();
  integration = await api.createOrganizationIntegration(tenant, { handle: 'shared', handlePrefix: 'aws_' });
  await runtime.settled();
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

const base = () => `/v1/integrations/${integration.id}`;

async function tree(): Promise<MirrorNode[]> {
  const answer = await api.call(tenant, 'GET', `${base()}/tree?limit=100`);
  return (answer.body as { items: MirrorNode[] }).items;
}

/** PATCHes a node with the version it has now, and waits for what follows. */
async function patchNode(kind: 'folders' | 'connections', id: string, body: unknown) {
  const current = await api.call(tenant, 'GET', `${base()}/${kind}/${id}`);
  const answer = await api.call(tenant, 'PATCH', `${base()}/${kind}/${id}`, body, {
    'if-match': current.headers.get('etag') ?? '',
  });
  await runtime.settled();
  return answer;
}

/** Every connection a workspace may use, all pages read. */
async function workspace(workspaceId: string, caller: Caller = tenant): Promise<WorkspaceConnection[]> {
  const items: WorkspaceConnection[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${cursor}` : '';
    const page = await api.call(caller, 'GET', `/v1/workspaces/${workspaceId}/connections?limit=2${query}`);
    expect(page.status).toBe(200);
    const body = page.body as { items: WorkspaceConnection[]; nextCursor: string | null };
    items.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor);
  return items;
}

const idsOf = (entries: readonly WorkspaceConnection[]) => entries.map((entry) => entry.connection.id).sort();

function changesSince(since: number) {
  return runtime.bus.list(since).map((event) => ({
    type: event['detail-type'],
    node: ((event.detail as Record<string, unknown>).folder ??
      (event.detail as Record<string, unknown>).connection) as MirrorNode | undefined,
    changes: (event.detail as { changes?: { field: string }[] }).changes?.map((change) => change.field),
  }));
}

describe('per-node settings and sharing with workspaces, through the local server', () => {
  it('inherits the integration’s settings everywhere at first, naming the integration as their source', async () => {
    const folder = await api.call(tenant, 'GET', `${base()}/folders/${IDENTITY}`);

    expect(folder.status).toBe(200);
    expect(folder.headers.get('etag')).toBe(`"${(folder.body as Folder).version}"`);
    expect((folder.body as Folder).effective).toEqual({
      regions: { value: ['us-east-1'], source: { type: 'integration', id: integration.id } },
      options: { value: {}, source: { type: 'integration', id: integration.id } },
      permissions: { value: { share: 'none' }, source: { type: 'integration', id: integration.id } },
    });
    expect(await workspace('ws-alpha')).toEqual([]);
  });

  it('shares a folder with a workspace: its connections and its subfolders’ appear, with one event each', async () => {
    const since = runtime.bus.list().length;

    const answer = await patchNode('folders', INFRASTRUCTURE, {
      permissions: { share: 'selected', workspaceIds: ['ws-alpha'] },
      regions: ['eu-west-1', 'eu-central-1'],
    });

    expect(answer.status).toBe(200);
    expect((answer.body as Folder).overrides).toEqual({
      permissions: { share: 'selected', workspaceIds: ['ws-alpha'] },
      regions: ['eu-west-1', 'eu-central-1'],
    });
    const shared = await workspace('ws-alpha');
    expect(idsOf(shared)).toEqual(INFRASTRUCTURE_ACCOUNTS);
    expect(shared.every((entry) => entry.via === 'selected' && entry.integrationId === integration.id)).toBe(
      true,
    );
    expect(await workspace('ws-beta')).toEqual([]);
    const identityCenter = await api.call(tenant, 'GET', `${base()}/connections/${IDENTITY_CENTER}`);
    expect((identityCenter.body as Connection).effective.regions).toEqual({
      value: ['eu-west-1', 'eu-central-1'],
      source: { type: 'folder', id: INFRASTRUCTURE },
    });
    const updated = changesSince(since).filter((event) => event.type.endsWith('Updated'));
    expect(updated.map((event) => event.node?.id).sort()).toEqual(
      [INFRASTRUCTURE, IDENTITY, ...INFRASTRUCTURE_ACCOUNTS].sort(),
    );
    for (const event of updated) expect(event.changes).toContain('effective');
    const accountEvent = updated.find((event) => event.node?.id === IDENTITY_CENTER)?.node as Connection;
    expect(accountEvent.effective.permissions.value).toEqual({
      share: 'selected',
      workspaceIds: ['ws-alpha'],
    });
  });

  it('lets a subfolder override what it inherits, and inherit it again with null', async () => {
    await patchNode('folders', IDENTITY, { permissions: { share: 'none' } });
    expect(idsOf(await workspace('ws-alpha'))).toEqual(
      INFRASTRUCTURE_ACCOUNTS.filter((id) => id !== IDENTITY_CENTER),
    );

    await patchNode('folders', IDENTITY, { permissions: null });
    expect(idsOf(await workspace('ws-alpha'))).toEqual(INFRASTRUCTURE_ACCOUNTS);
  });

  it('shares with all workspaces, including one never seen before, except where a folder overrides it', async () => {
    const current = await api.call(tenant, 'GET', base());
    const answer = await api.call(
      tenant,
      'PATCH',
      base(),
      { permissions: { share: 'all' } },
      {
        'if-match': current.headers.get('etag') ?? '',
      },
    );
    expect(answer.status).toBe(200);
    await runtime.settled();

    const connections = (await tree()).filter((node) => node.type === 'connection');
    const outside = connections.map((node) => node.id).filter((id) => !INFRASTRUCTURE_ACCOUNTS.includes(id));
    const fresh = await workspace('ws-created-later');
    expect(idsOf(fresh)).toEqual(outside.sort());
    expect(fresh.every((entry) => entry.via === 'all')).toBe(true);
    // ws-alpha: its own three, and everything shared with all.
    expect(idsOf(await workspace('ws-alpha'))).toEqual(connections.map((node) => node.id).sort());
  });

  it('renames every generated handle when the prefix changes, and leaves a user-set one alone', async () => {
    const userSet = await patchNode('connections', NETWORK, { handle: 'net_main' });
    expect(userSet.status).toBe(200);
    expect(userSet.body).toMatchObject({ handle: 'net_main', handleSource: 'user' });
    const before = await tree();
    const since = runtime.bus.list().length;

    const current = await api.call(tenant, 'GET', base());
    await api.call(
      tenant,
      'PATCH',
      base(),
      { handlePrefix: 'org_' },
      {
        'if-match': current.headers.get('etag') ?? '',
      },
    );
    await runtime.settled();

    const after = await tree();
    const renamed = changesSince(since).filter((event) => event.node && event.type.endsWith('Updated'));
    expect(after.find((node) => node.id === NETWORK)?.handle).toBe('net_main');
    const generated = after.filter((node) => node.id !== NETWORK);
    expect(generated.every((node) => node.handle.startsWith('org_') && node.handlePrefix === 'org_')).toBe(
      true,
    );
    expect(renamed.map((event) => event.node?.id).sort()).toEqual(generated.map((node) => node.id).sort());
    for (const event of renamed) expect(event.changes).toEqual(['handle', 'handlePrefix']);
    const handleOf = (nodes: MirrorNode[], id: string) => nodes.find((node) => node.id === id)?.handle;
    expect(handleOf(after, IDENTITY)).toBe(handleOf(before, IDENTITY)?.replace(/^aws_/, 'org_'));
    // The shares carry the new handles.
    const shared = await workspace('ws-alpha');
    expect(shared.find((entry) => entry.connection.id === IDENTITY_CENTER)?.connection.handle).toMatch(
      /^org_/,
    );
  });

  it('moves to credentials that see part of the organization: the rest is kept once, then removed with events once confirmed', async () => {
    const WORKLOADS = 'ou-k3v9-w0rkl0ad';
    const management = runtime.sandbox?.managementAccountId ?? '';
    const roleArn = await api.deployRole(
      management,
      'PartialDiscovery',
      await api.externalIdOf(tenant.tenantId),
      [WORKLOADS],
    );
    const before = await tree();
    const below = before.filter(
      (node) => node.parentId !== null && runtime.sandbox?.isWithin(node.parentId, [WORKLOADS]),
    );
    expect(below.length).toBeGreaterThan(10);
    const current = await api.call(tenant, 'GET', base());

    const answer = await api.call(
      tenant,
      'PATCH',
      base(),
      { roleArn },
      { 'if-match': current.headers.get('etag') ?? '' },
    );
    expect(answer.status).toBe(200);
    await runtime.settled();

    // The first run that may not list Workloads keeps what it holds, and says why.
    const kept = await tree();
    expect(kept.map((node) => node.id).sort()).toEqual(before.map((node) => node.id).sort());
    expect(kept.find((node) => node.id === WORKLOADS)).toMatchObject({ access: 'denied' });

    // The second one proves the denial persists; as that removes most connections, it waits for
    // a confirmation, and a confirmed sync removes them.
    expect((await api.call(tenant, 'POST', `${base()}/sync`)).status).toBe(202);
    await runtime.settled();
    const held = await api.call(tenant, 'GET', `${base()}/status`);
    expect(held.body).toMatchObject({ status: 'needs_review', lastRun: { counts: { deleted: 0 } } });
    expect((await tree()).length).toBe(before.length);
    const since = runtime.bus.list().length;
    expect((await api.call(tenant, 'POST', `${base()}/sync?confirmDeletions=true`)).status).toBe(202);
    await runtime.settled();

    const after = await tree();
    const deleted = changesSince(since).filter((event) => event.type.endsWith('Deleted'));
    expect(deleted.map((event) => event.node?.id).sort()).toEqual(below.map((node) => node.id).sort());
    expect(after.map((node) => node.id).sort()).toEqual(
      before
        .filter((node) => !below.includes(node))
        .map((node) => node.id)
        .sort(),
    );
    expect(after.find((node) => node.id === WORKLOADS)).toMatchObject({ access: 'denied' });
    // What is gone is no longer shared with anyone.
    const belowIds = new Set(below.map((node) => node.id));
    expect((await workspace('ws-alpha')).filter((entry) => belowIds.has(entry.connection.id))).toEqual([]);
  });

  it('needs If-Match, refuses a handle another node holds, and changes nothing then', async () => {
    const node = `${base()}/connections/${IDENTITY_CENTER}`;
    const before = (await api.call(tenant, 'GET', node)).body as Connection;

    const missing = await api.call(tenant, 'PATCH', node, { handle: 'fresh_name' });
    const stale = await api.call(tenant, 'PATCH', node, { handle: 'fresh_name' }, { 'if-match': '"99"' });
    const taken = await api.call(
      tenant,
      'PATCH',
      node,
      { handle: 'net_main' },
      {
        'if-match': `"${before.version}"`,
      },
    );
    const empty = await api.call(tenant, 'PATCH', node, {}, { 'if-match': `"${before.version}"` });

    expect([missing.status, errorCode(missing.body)]).toEqual([400, 'VALIDATION_FAILED']);
    expect([stale.status, errorCode(stale.body)]).toEqual([412, 'VERSION_CONFLICT']);
    expect([taken.status, errorCode(taken.body)]).toEqual([409, 'HANDLE_TAKEN']);
    expect([empty.status, errorCode(empty.body)]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await api.call(tenant, 'GET', node)).body).toEqual(before);
  });

  it('accepts one of several PATCHes racing with the same If-Match, and answers the others 412', async () => {
    const node = `${base()}/connections/${NETWORK}`;
    const before = (await api.call(tenant, 'GET', node)).body as Connection;
    const handles = Array.from({ length: 6 }, (_, i) => `racer_${i}`);

    const answers = await Promise.all(
      handles.map((handle) =>
        api.call(tenant, 'PATCH', node, { handle }, { 'if-match': `"${before.version}"` }),
      ),
    );

    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 412, 412, 412, 412, 412]);
    const refused = answers.filter((answer) => answer.status === 412);
    expect(refused.map((answer) => errorCode(answer.body))).toEqual(Array(5).fill('VERSION_CONFLICT'));
    const winner = answers.find((answer) => answer.status === 200)?.body as Connection;
    const after = (await api.call(tenant, 'GET', node)).body as Connection;
    expect(after).toMatchObject({ handle: winner.handle, version: before.version + 1 });
    await runtime.settled();
  });

  it('answers 404 to another tenant on every node route and shows it no share', async () => {
    const routes = [
      ['GET', `${base()}/folders/${INFRASTRUCTURE}`],
      ['PATCH', `${base()}/folders/${INFRASTRUCTURE}`],
      ['GET', `${base()}/connections/${NETWORK}`],
      ['PATCH', `${base()}/connections/${NETWORK}`],
    ] as const;
    const before = await tree();

    for (const [method, route] of routes) {
      const answer = await api.call(
        stranger,
        method,
        route,
        method === 'PATCH' ? { handle: 'stolen' } : undefined,
        {
          'if-match': '"1"',
        },
      );
      expect([method, route, answer.status, errorCode(answer.body)]).toEqual([
        method,
        route,
        404,
        'NOT_FOUND',
      ]);
    }
    expect(await workspace('ws-alpha', stranger)).toEqual([]);
    expect(await tree()).toEqual(before);
  });

  it('keeps an org-level integration and its shares invisible to a token without that org', async () => {
    const owner = { tenantId: tenant.tenantId, roles: [], orgIds: ['org-a'] };
    const outsider = { tenantId: tenant.tenantId, roles: [], orgIds: ['org-b'] };
    const orgIntegration = await api.createOrganizationIntegration(owner, {
      handle: 'org_a_shared',
      roleName: 'OrgADiscovery',
      scope: { level: 'org', orgId: 'org-a' },
    });
    await runtime.settled();
    const folder = `/v1/integrations/${orgIntegration.id}/folders/${INFRASTRUCTURE}`;
    const current = await api.call(owner, 'GET', folder);
    expect(current.status).toBe(200);
    await api.call(
      owner,
      'PATCH',
      folder,
      { permissions: { share: 'selected', workspaceIds: ['ws-org'] } },
      {
        'if-match': current.headers.get('etag') ?? '',
      },
    );
    await runtime.settled();

    for (const route of [`/v1/integrations/${orgIntegration.id}`, folder]) {
      const answer = await api.call(outsider, 'GET', route);
      expect([route, answer.status]).toEqual([route, 404]);
    }
    // The tenant-level integration shares with all workspaces, and both callers see that.
    const fromOrg = (entries: WorkspaceConnection[]) =>
      entries.filter((entry) => entry.integrationId === orgIntegration.id);
    expect(idsOf(fromOrg(await workspace('ws-org', owner)))).toEqual(INFRASTRUCTURE_ACCOUNTS);
    const seenOutside = await workspace('ws-org', outsider);
    expect(seenOutside.length).toBeGreaterThan(0);
    expect(fromOrg(seenOutside)).toEqual([]);
  });
});
