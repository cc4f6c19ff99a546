import type { LocalRuntime } from '../../local/runtime';
import type { Integration } from '../../schemas/api/integrations';
import type { MirrorNode, SyncRun } from '../../schemas/sync';
import { localApi } from '../fixtures/local-api';
import { startTestRuntime } from '../fixtures/test-runtime';

jest.setTimeout(60_000);

let runtime: LocalRuntime;
const api = localApi(() => runtime);
const tenant = { tenantId: 'filters-flow' };
let integration: Integration;

const SECURITY = 'ou-k3v9-s3cur1ty';
const SECURITY_ACCOUNTS = ['210000002026', '210000003039', '210000004052'];
const INFRASTRUCTURE = 'ou-k3v9-1nfra001';
const IDENTITY = 'ou-k3v9-1dent1ty';
const IDENTITY_CENTER = '210000007091';
const NETWORK = '210000005065';
const SHARED_SERVICES = '210000006078';

interface SandboxSnapshot {
  organizationalUnits: { id: string }[];
  accounts: { id: string; state: string; parentId: string }[];
}

const base = () => `/v1/integrations/${integration.id}`;

async function mirror(): Promise<{ folders: string[]; connections: string[] }> {
  const answer = await api.call(tenant, 'GET', `${base()}/tree?limit=100`);
  const items = (answer.body as { items: MirrorNode[] }).items;
  const ids = (type: MirrorNode['type']) =>
    items
      .filter((node) => node.type === type)
      .map((node) => node.id)
      .sort();
  return { folders: ids('folder'), connections: ids('connection') };
}

async function patchFilters(filters: unknown) {
  const current = await api.call(tenant, 'GET', base());
  const answer = await api.call(
    tenant,
    'PATCH',
    base(),
    { filters },
    { 'if-match': current.headers.get('etag') ?? '' },
  );
  expect(answer.status).toBe(200);
  await runtime.settled();
}

async function lastRun(): Promise<SyncRun> {
  const runs = await api.call(tenant, 'GET', `${base()}/runs?limit=1`);
  return (runs.body as { items: SyncRun[] }).items[0] as SyncRun;
}

function eventsSince(since: number) {
  return runtime.bus.list(since).map((event) => ({
    type: event['detail-type'],
    id: (
      (event.detail as { folder?: MirrorNode; connection?: MirrorNode }).folder ??
      (event.detail as { connection?: MirrorNode }).connection
    )?.id,
  }));
}

let sandbox: SandboxSnapshot;

beforeAll(async () => {
  runtime = await startTestRuntime();
  sandbox = (await api.sandbox('GET', '')).body as SandboxSnapshot;
  integration = await api.createOrganizationIntegration(tenant, {
    handle: 'filtered',
    filters: { organizationalUnits: { exclude: [SECURITY] }, skipSuspended: true },
  });
  await runtime.settled();
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

describe('scope filters', () => {
  it('leaves out an excluded OU without listing it, and suspended accounts', async () => {
    const { folders, connections } = await mirror();

    expect(folders).not.toContain(SECURITY);
    expect(folders).toContain(INFRASTRUCTURE);
    expect(connections.filter((id) => SECURITY_ACCOUNTS.includes(id))).toEqual([]);
    const suspended = sandbox.accounts.filter((account) => account.state !== 'ACTIVE').map((a) => a.id);
    expect(suspended.length).toBeGreaterThan(0);
    expect(connections.filter((id) => suspended.includes(id))).toEqual([]);
    const active = sandbox.accounts.filter(
      (account) => account.state === 'ACTIVE' && account.parentId !== SECURITY,
    );
    expect(connections).toHaveLength(active.length);
    expect(runtime.sandbox?.calls.filter((call) => call.parentId === SECURITY)).toEqual([]);
  });

  it('narrows to an included OU: its accounts stay, the way down stays, the rest goes with events', async () => {
    const before = await mirror();
    const since = runtime.bus.list().length;

    await patchFilters({ organizationalUnits: { include: [IDENTITY] } });

    const after = await mirror();
    expect(after).toEqual({ folders: [IDENTITY, INFRASTRUCTURE].sort(), connections: [IDENTITY_CENTER] });
    const events = eventsSince(since);
    const deleted = events.filter((event) => event.type.endsWith('Deleted')).map((event) => event.id);
    const gone = [...before.folders, ...before.connections].filter(
      (id) => ![...after.folders, ...after.connections].includes(id),
    );
    expect(deleted.sort()).toEqual(gone.sort());
    expect(events.filter((event) => event.type.endsWith('Created'))).toEqual([]);
    // Asked for by the user: removed at once, not held for review.
    expect(await lastRun()).toMatchObject({ trigger: 'settings', status: 'succeeded' });
  });

  it('selects accounts by tag, and a TagResource event brings a newly tagged account in', async () => {
    const tagged = [NETWORK, SHARED_SERVICES];
    for (const id of tagged) {
      expect((await api.sandbox('POST', `/accounts/${id}/tags`, { tags: { team: 'platform' } })).status).toBe(
        200,
      );
    }
    await runtime.settled();
    const tagCalls = () =>
      runtime.sandbox?.calls.filter((call) => call.api === 'ListTagsForResource').length ?? 0;

    await patchFilters({ accountTags: { team: 'platform' } });

    expect((await mirror()).connections).toEqual(
      [...tagged, IDENTITY_CENTER].filter((id) => tagged.includes(id)).sort(),
    );
    expect(tagCalls()).toBeGreaterThan(0);
    const since = runtime.bus.list().length;
    const callsBefore = tagCalls();
    const newcomer = IDENTITY_CENTER;

    expect(
      (await api.sandbox('POST', `/accounts/${newcomer}/tags`, { tags: { team: 'platform' } })).status,
    ).toBe(200);
    await runtime.settled();

    expect((await mirror()).connections).toEqual([...tagged, newcomer].sort());
    expect(eventsSince(since).filter((event) => event.type === 'Connection Created')).toEqual([
      { type: 'Connection Created', id: newcomer },
    ]);
    // The targeted run read the one account's tags, not every account's.
    expect(tagCalls() - callsBefore).toBe(1);
  });

  it('takes every filter away: the whole organization comes back with Created events', async () => {
    const before = await mirror();
    const since = runtime.bus.list().length;

    await patchFilters(null);

    const after = await mirror();
    const closed = sandbox.accounts.filter((account) => account.state === 'CLOSED');
    expect(after.folders).toHaveLength(sandbox.organizationalUnits.length);
    expect(after.connections).toHaveLength(sandbox.accounts.length - closed.length);
    const created = eventsSince(since)
      .filter((event) => event.type.endsWith('Created'))
      .map((event) => event.id);
    expect(created).toHaveLength(
      after.folders.length + after.connections.length - before.folders.length - before.connections.length,
    );
    // The tag filter kept every folder; the Security accounts come back.
    expect(created).toEqual(expect.arrayContaining(SECURITY_ACCOUNTS));
  });
});
