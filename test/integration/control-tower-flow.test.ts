import type { LocalRuntime } from '../../local/runtime';
import type { Integration } from '../../schemas/api/integrations';
import type { ConnectionView, IntegrationStatusReport, MirrorNode, SyncRun } from '../../schemas/sync';
import { errorCode, localApi } from '../fixtures/local-api';
import { startTestRuntime } from '../fixtures/test-runtime';

jest.setTimeout(60_000);

let runtime: LocalRuntime;
const api = localApi(() => runtime);
const tenant = { tenantId: 'control-tower-flow' };
let integration: Integration;

const INFRASTRUCTURE = 'ou-k3v9-1nfra001';

const base = () => `/v1/integrations/${integration.id}`;

async function connections(): Promise<string[]> {
  const answer = await api.call(tenant, 'GET', `${base()}/tree?limit=100`);
  const items = (answer.body as { items: MirrorNode[] }).items;
  return items.filter((node) => node.type === 'connection').map((node) => node.id);
}

/** Each connection's last health check time (null: never checked). */
async function checkedAt(): Promise<Map<string, string | null>> {
  const answer = await api.call(tenant, 'GET', `${base()}/tree?limit=100`);
  const items = (answer.body as { items: MirrorNode[] }).items;
  return new Map(
    items.flatMap((node) =>
      node.type === 'connection'
        ? [[node.id, (node as ConnectionView).health?.checkedAt ?? null] as const]
        : [],
    ),
  );
}

async function runs(): Promise<SyncRun[]> {
  return ((await api.call(tenant, 'GET', `${base()}/runs?limit=50`)).body as { items: SyncRun[] }).items;
}

beforeAll(async () => {
  runtime = await startTestRuntime();
  integration = await api.createOrganizationIntegration(tenant, { handle: 'landingzone' });
  await runtime.settled();
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

describe('accounts vended by Control Tower', () => {
  it('become connections through a targeted sync of the account and its OU', async () => {
    const since = runtime.bus.list().length;

    const vended = await api.sandbox('POST', '/control-tower/accounts', {
      name: 'workload-prod',
      email: 'workload-prod@example.com',
      parentId: INFRASTRUCTURE,
    });
    await runtime.settled();

    expect(vended.status).toBe(201);
    const { id } = vended.body as { id: string };
    expect(await connections()).toContain(id);
    const [latest] = await runs();
    expect(latest).toMatchObject({ trigger: 'event', status: 'succeeded' });
    const created = runtime.bus
      .list(since)
      .filter((event) => event['detail-type'] === 'Connection Created')
      .map((event) => (event.detail as { connection: MirrorNode }).connection.id);
    expect(created).toEqual([id]);
  });

  it("checks the new account's member role alone, and the next complete check stays when it was due", async () => {
    const status = async () =>
      (await api.call(tenant, 'GET', `${base()}/status`)).body as IntegrationStatusReport;
    const before = await checkedAt();
    const due = (await status()).memberCheckDueAt;

    const vended = await api.sandbox('POST', '/control-tower/accounts', {
      name: 'workload-dev',
      email: 'workload-dev@example.com',
      parentId: INFRASTRUCTURE,
    });
    await runtime.settled();

    const { id } = vended.body as { id: string };
    const after = await checkedAt();
    // No role is deployed in a vended account: its check says so, and no other role was probed.
    expect(after.get(id)).not.toBeNull();
    expect([...after].filter(([account, time]) => account !== id && time !== before.get(account))).toEqual(
      [],
    );
    expect((await status()).memberCheckDueAt).toBe(due);
  });

  it('changes nothing when Account Factory failed', async () => {
    const before = { connections: await connections(), runs: (await runs()).length };
    const since = runtime.bus.list().length;

    const failed = await api.sandbox('POST', '/control-tower/accounts', {
      name: 'never-made',
      email: 'never-made@example.com',
      parentId: INFRASTRUCTURE,
      fail: true,
    });
    await runtime.settled();

    expect(failed).toMatchObject({ status: 202, body: { state: 'FAILED' } });
    expect(await connections()).toEqual(before.connections);
    expect((await runs()).length).toBe(before.runs);
    expect(runtime.bus.list(since)).toEqual([]);
  });

  it('vends only into an OU that exists', async () => {
    const account = { name: 'stray', email: 'stray@example.com' };

    const intoRoot = await api.sandbox('POST', '/control-tower/accounts', { ...account, parentId: 'r-k3v9' });
    const intoNothing = await api.sandbox('POST', '/control-tower/accounts', {
      ...account,
      parentId: 'ou-k3v9-n0th1ng0',
    });

    expect([intoRoot.status, errorCode(intoRoot.body)]).toEqual([400, 'VALIDATION_FAILED']);
    expect([intoNothing.status, errorCode(intoNothing.body)]).toEqual([404, 'NOT_FOUND']);
  });
});
