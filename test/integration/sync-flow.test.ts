import type { SandboxOrganization } from '../../lambdas/adapters/sandbox/sandbox-organization';
import type { LocalRuntime } from '../../local/runtime';
import type { Integration } from '../../schemas/api/integrations';
import type { MirrorNode, SyncRun } from '../../schemas/sync';
import { undocumentedEvents } from '../fixtures/documented-events';
import { localApi } from '../fixtures/local-api';
import { mirrorShape, organizationShape } from '../fixtures/mirror';
import { startTestRuntime } from '../fixtures/test-runtime';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let runtime: LocalRuntime;
const api = localApi(() => runtime);
const tenant = { tenantId: 'sync-flow' };
let integration: Integration;

function sandbox(): SandboxOrganization {
  if (!runtime.sandbox) throw new Error('the runtime runs without a sandbox');
  return runtime.sandbox;
}

beforeAll(async () => {
  runtime = await startTestRuntime();
  integration = await api.createOrganizationIntegration(tenant, { handle: 'acme', handlePrefix: 'aws_' });
  await runtime.settled();
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

async function tree(): Promise<MirrorNode[]> {
  const nodes: MirrorNode[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${cursor}` : '';
    const page = await api.call(tenant, 'GET', `/v1/integrations/${integration.id}/tree?limit=7${query}`);
    expect(page.status).toBe(200);
    const body = page.body as { items: MirrorNode[]; nextCursor: string | null };
    nodes.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor);
  return nodes;
}

function eventsSince(since: number) {
  return runtime.bus
    .list(since)
    .map((event) => ({ type: event['detail-type'], detail: event.detail as Record<string, unknown> }));
}

async function runs(): Promise<SyncRun[]> {
  const answer = await api.call(tenant, 'GET', `/v1/integrations/${integration.id}/runs?limit=100`);
  return (answer.body as { items: SyncRun[] }).items;
}

async function sync(): Promise<{
  runId: string;
  /** API Gateway's id of the request, which the run's events carry as their correlation id. */
  requestId: string | null;
  events: { type: string; detail: Record<string, unknown> }[];
}> {
  const since = runtime.bus.list().length;
  const started = await api.call(tenant, 'POST', `/v1/integrations/${integration.id}/sync`);
  expect(started.status).toBe(202);
  await runtime.settled();
  return {
    runId: (started.body as { runId: string }).runId,
    requestId: started.headers.get('x-amzn-requestid'),
    events: runtime.bus
      .list(since)
      .map((event) => ({ type: event['detail-type'], detail: event.detail as Record<string, unknown> })),
  };
}

// A sync paces its Organizations calls at half the published limits, in real time here.
jest.setTimeout(60_000);

describe('the sync engine on the sandbox organization, through the local runtime', () => {
  it('mirrors the organization on the initial sync, with one Created event per folder and connection', async () => {
    const expected = organizationShape(sandbox());
    const nodes = await tree();
    const events = runtime.bus.list().map((event) => event['detail-type']);
    const status = await api.call(tenant, 'GET', `/v1/integrations/${integration.id}/status`);

    expect(mirrorShape(nodes)).toEqual(expected);
    expect(events.filter((type) => type === 'Folder Created')).toHaveLength(expected.folders.length);
    expect(events.filter((type) => type === 'Connection Created')).toHaveLength(expected.connections.length);
    expect(events.filter((type) => type === 'Integration Created')).toHaveLength(1);
    expect(events.filter((type) => type === 'Sync Completed')).toHaveLength(1);
    expect(status.body).toMatchObject({
      status: 'connected',
      currentRun: null,
      lastRun: { trigger: 'initial', status: 'succeeded', counts: { deleted: 0 } },
      counts: { folders: expected.folders.length, connections: expected.connections.length },
    });
    // Handles: generated with the prefix, unique, and the management account uses the discovery role.
    const handles = nodes.map((node) => node.handle);
    expect(new Set(handles).size).toBe(handles.length);
    expect(handles.every((handle) => /^aws_[a-z0-9_]+$/.test(handle))).toBe(true);
    const managementConnection = nodes.find((node) => node.id === runtime.sandbox?.managementAccountId);
    expect(managementConnection).toMatchObject({ managementAccount: true, roleArn: integration.roleArn });
  });

  it('writes nothing, publishes no change and checks no member role on a second sync of an unchanged organization', async () => {
    const before = await tree();

    const { events, runId, requestId } = await sync();

    expect(events.map((event) => event.type)).toEqual(['Sync Completed']);
    expect(requestId).toEqual(expect.any(String));
    expect(events[0]?.detail).toMatchObject({ syncRunId: runId, correlationId: requestId });
    // The roles were checked a moment ago: no check follows a no-op re-sync, so even each
    // connection's health time stays.
    expect(await tree()).toEqual(before);
    expect(events[0]?.detail).toMatchObject({ counts: { created: 0, updated: 0, deleted: 0 } });
  });

  it('publishes exactly the right changes from the Organizations events of the changes, with no walk', async () => {
    const snapshot = runtime.sandbox?.snapshot();
    const [renamed] = snapshot?.organizationalUnits ?? [];
    const members = (snapshot?.accounts ?? []).filter(
      (account) => account.id !== snapshot?.organization.managementAccountId && account.state === 'ACTIVE',
    );
    const [moved, closed, removed] = members;
    if (!renamed || !moved || !closed || !removed || !snapshot) throw new Error('fixture too small');
    const handleBefore = (await tree()).find((node) => node.id === renamed.id)?.handle;
    const since = runtime.bus.list().length;
    const runsBefore = await runs();

    expect(
      (await api.sandbox('PATCH', `/organizational-units/${renamed.id}`, { name: 'Renamed' })).status,
    ).toBe(200);
    const newOu = await api.sandbox('POST', '/organizational-units', {
      name: 'Fresh',
      parentId: snapshot.root.id,
    });
    const newOuId = (newOu.body as { id: string }).id;
    expect(
      (await api.sandbox('POST', `/accounts/${moved.id}/move`, { destinationParentId: newOuId })).status,
    ).toBe(200);
    const created = await api.sandbox('POST', '/accounts', {
      name: 'Brand New',
      email: 'new@example.com',
      parentId: newOuId,
    });
    expect((await api.sandbox('POST', `/accounts/${closed.id}/close`)).status).toBe(200);
    expect((await api.sandbox('DELETE', `/accounts/${removed.id}`)).status).toBe(204);
    const extra = await api.sandbox('POST', '/organizational-units', {
      name: 'Short-lived',
      parentId: newOuId,
    });

    await runtime.settled();
    const first = { events: eventsSince(since) };
    // AWS deletes only an empty OU; the sandbox refuses the rest, as AWS does.
    expect((await api.sandbox('DELETE', `/organizational-units/${newOuId}`)).status).toBe(400);
    const secondSince = runtime.bus.list().length;
    expect(
      (await api.sandbox('DELETE', `/organizational-units/${(extra.body as { id: string }).id}`)).status,
    ).toBe(204);
    await runtime.settled();
    const second = { events: eventsSince(secondSince) };
    // The event-driven runs read only what the events named, and left nothing for a full walk.
    const eventRuns = (await runs()).filter((run) => !runsBefore.some((before) => before.id === run.id));
    const full = await sync();

    // A member check follows each run that created a connection, one at a time: whichever first
    // probes the new account announces its health. Health is news apart from the mirror.
    const healthOnly = (event: { type: string; detail: Record<string, unknown> }) =>
      (event.detail.changes as { field: string }[] | undefined)?.every((change) => change.field === 'health');
    const changesOf = (events: { type: string; detail: Record<string, unknown> }[]) =>
      events
        .filter((event) => !healthOnly(event))
        .map((event) => event.type)
        .filter((type) => type !== 'Sync Completed')
        .sort();
    expect(changesOf(first.events)).toEqual([
      'Connection Created',
      'Connection Deleted',
      'Connection Updated',
      'Connection Updated',
      'Folder Created',
      'Folder Created',
      'Folder Updated',
    ]);
    expect(changesOf(second.events)).toEqual(['Folder Deleted']);
    // The full walk found nothing more; only the new account's first member check is news.
    expect(changesOf(full.events)).toEqual([]);
    const healthNews = [...first.events, ...second.events, ...full.events]
      .filter(healthOnly)
      .map((event) => (event.detail.connection as { id: string }).id);
    expect(healthNews).toEqual([(created.body as { id: string }).id]);
    expect(eventRuns.length).toBeGreaterThanOrEqual(1);
    for (const run of eventRuns) {
      expect(run).toMatchObject({ trigger: 'event', status: 'succeeded' });
      expect(run.targets).not.toBeNull();
    }
    // A walk of this organization costs 2 + 2P pages at least (P = 13 containers): far more.
    const calls = eventRuns.reduce((sum, run) => sum + run.progress.organizationsCalls, 0);
    expect(calls).toBeLessThan(2 + 2 * 13);
    const movedEvent = first.events.find(
      (event) => (event.detail.connection as { id?: string } | undefined)?.id === moved.id,
    );
    expect(movedEvent?.detail.changes).toEqual([{ field: 'parentId', from: moved.parentId, to: newOuId }]);
    // Each run's events carry the id of the Organizations event that set it off, the same for all.
    for (const { events } of [first, second]) {
      const correlationOf = new Map<unknown, Set<unknown>>();
      for (const { detail } of events) {
        const ids = correlationOf.get(detail.syncRunId) ?? new Set();
        correlationOf.set(detail.syncRunId, ids.add(detail.correlationId));
      }
      for (const ids of correlationOf.values()) expect([...ids]).toEqual([expect.stringMatching(UUID)]);
    }
    const sequences = [...first.events, ...second.events].map((event) => Number(event.detail.sequence));
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    const nodes = await tree();
    expect(mirrorShape(nodes)).toEqual(organizationShape(sandbox()));
    expect(nodes.find((node) => node.id === renamed.id)).toMatchObject({
      name: 'Renamed',
      handle: handleBefore,
    });
    expect(nodes.find((node) => node.id === moved.id)).toMatchObject({ parentId: newOuId });
    expect(nodes.find((node) => node.id === closed.id)).toMatchObject({
      state: 'PENDING_CLOSURE',
      disabled: true,
    });
    expect(nodes.find((node) => node.id === removed.id)).toBeUndefined();
    expect(nodes.find((node) => node.id === (created.body as { id: string }).id)).toMatchObject({
      parentId: newOuId,
    });
  });

  it('lists the runs newest first', async () => {
    const runs = await api.call(tenant, 'GET', `/v1/integrations/${integration.id}/runs?limit=2`);
    const body = runs.body as { items: SyncRun[]; nextCursor: string | null };

    expect(body.items.map((run) => run.trigger)).toEqual(['manual', 'event']);
    expect(body.items[0]?.id.localeCompare(body.items[1]?.id ?? '')).toBeGreaterThan(0);
    expect(body.nextCursor).not.toBeNull();
  });

  it('reads the published events back from the outbox: forward in pages, newest first, only in the tenant', async () => {
    await runtime.settled();
    const published = runtime.bus
      .list()
      .map((event) => ({
        detailType: event['detail-type'],
        detail: event.detail as { integrationId?: string; sequence?: number },
      }))
      .filter((event) => event.detail.integrationId === integration.id)
      .sort((a, b) => Number(a.detail.sequence) - Number(b.detail.sequence));
    const events = `/v1/integrations/${integration.id}/events`;
    type Page = { items: { detailType: string; detail: { sequence: number } }[]; hasMore: boolean };

    const forward: Page['items'] = [];
    let after = 0;
    let pages = 0;
    for (let more = true; more; pages += 1) {
      const page = await api.call(tenant, 'GET', `${events}?afterSequence=${after}&limit=7`);
      expect(page.status).toBe(200);
      const body = page.body as Page;
      forward.push(...body.items);
      after = body.items.at(-1)?.detail.sequence ?? after;
      more = body.hasMore;
    }
    const newest = (await api.call(tenant, 'GET', `${events}?order=desc&limit=3`)).body as Page;
    const older = (
      await api.call(
        tenant,
        'GET',
        `${events}?order=desc&limit=3&beforeSequence=${newest.items.at(-1)?.detail.sequence}`,
      )
    ).body as Page;

    expect(published.length).toBeGreaterThan(14);
    expect(forward).toEqual(published);
    expect(pages).toBe(Math.ceil(published.length / 7));
    expect([...newest.items, ...older.items]).toEqual(published.slice(-6).reverse());
    expect(newest.hasMore).toBe(true);
    const stranger = await api.call({ tenantId: 'someone-else' }, 'GET', events);
    expect(stranger.status).toBe(404);
    const backwards = await api.call(tenant, 'GET', `${events}?afterSequence=5&beforeSequence=6`);
    expect(backwards.status).toBe(400);
  });

  it('answers GET /local/settled once the background work is done, with the count of events so far', async () => {
    const joined = (
      await api.sandbox('POST', '/accounts', {
        name: 'Settled',
        email: 'settled@example.com',
        parentId: sandbox().snapshot().root.id,
      })
    ).body as { id: string };

    const answer = await fetch(`${runtime.url}/local/settled`);

    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ settled: true, events: runtime.bus.list().length });
    // Settled means the account's targeted sync has run and published.
    expect(
      runtime.bus
        .list()
        .some((event) => (event.detail as { connection?: { id?: string } }).connection?.id === joined.id),
    ).toBe(true);
  });

  it('published every event of this suite as the generated event schemas describe it', () => {
    const events = runtime.bus.list();

    expect(new Set(events.map((event) => event['detail-type']))).toEqual(
      new Set([
        'Integration Created',
        'Integration Status Changed',
        'Folder Created',
        'Folder Updated',
        'Folder Deleted',
        'Connection Created',
        'Connection Updated',
        'Connection Deleted',
        'Sync Completed',
      ]),
    );
    expect(undocumentedEvents(events)).toEqual([]);
  });
});
