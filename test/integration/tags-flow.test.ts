import type { LocalRuntime } from '../../local/runtime';
import type { Integration } from '../../schemas/api/integrations';
import type { FieldChange } from '../../schemas/events';
import type { MirrorNode } from '../../schemas/sync';
import { localApi } from '../fixtures/local-api';
import { startTestRuntime } from '../fixtures/test-runtime';

jest.setTimeout(60_000);

let runtime: LocalRuntime;
const api = localApi(() => runtime);
const tenant = { tenantId: 'tags-flow' };
let integration: Integration;

const INFRASTRUCTURE = 'ou-k3v9-1nfra001';
const NETWORK = '210000005065';
const SHARED_SERVICES = '210000006078';

const base = () => `/v1/integrations/${integration.id}`;

async function tree(): Promise<MirrorNode[]> {
  const answer = await api.call(tenant, 'GET', `${base()}/tree?limit=100`);
  return (answer.body as { items: MirrorNode[] }).items;
}

const tagsOf = async (id: string) => (await tree()).find((node) => node.id === id)?.tags;

const tagCalls = () =>
  runtime.sandbox?.calls.filter((call) => call.api === 'ListTagsForResource').length ?? 0;

/** The mirror's events since `since`: type, node id, and the fields an update changed. */
function eventsSince(since: number) {
  return runtime.bus.list(since).flatMap((event) => {
    const detail = event.detail as { folder?: MirrorNode; connection?: MirrorNode; changes?: FieldChange[] };
    const node = detail.folder ?? detail.connection;
    if (!node) return [];
    return [
      { type: event['detail-type'], id: node.id, fields: detail.changes?.map((change) => change.field) },
    ];
  });
}

async function patch(fields: Record<string, unknown>) {
  expect((await api.patchCurrent(tenant, base(), fields)).status).toBe(200);
  await runtime.settled();
}

async function sandboxTag(kind: 'accounts' | 'ous', id: string, tags: Record<string, string | null>) {
  expect((await api.sandbox('POST', `/${kind}/${id}/tags`, { tags })).status).toBe(200);
  await runtime.settled();
}

beforeAll(async () => {
  runtime = await startTestRuntime();
  expect((await api.sandbox('POST', `/accounts/${NETWORK}/tags`, { tags: { team: 'network' } })).status).toBe(
    200,
  );
  await runtime.settled();
  integration = await api.createOrganizationIntegration(tenant, { handle: 'tagged', tags: { read: true } });
  await runtime.settled();
}, 120_000);

afterAll(async () => {
  await runtime.stop();
});

describe('Organizations tags', () => {
  it('the first sync reads every kept OU and account once, and shows their tags', async () => {
    const nodes = await tree();

    expect(tagCalls()).toBe(nodes.length);
    expect(nodes.every((node) => node.tags !== undefined)).toBe(true);
    expect(await tagsOf(NETWORK)).toEqual({ team: 'network' });
    expect(await tagsOf(SHARED_SERVICES)).toEqual({});
  });

  it('a re-sync on the same day reads no tag again', async () => {
    const before = tagCalls();

    expect((await api.call(tenant, 'POST', `${base()}/sync`)).status).toBe(202);
    await runtime.settled();

    expect(tagCalls() - before).toBe(0);
  });

  it("tagging an account reads that account's tags alone, and publishes one update of them", async () => {
    const before = tagCalls();
    const since = runtime.bus.list().length;

    await sandboxTag('accounts', SHARED_SERVICES, { team: 'platform', 'cost-center': '42' });

    expect(tagCalls() - before).toBe(1);
    expect(await tagsOf(SHARED_SERVICES)).toEqual({ team: 'platform', 'cost-center': '42' });
    expect(eventsSince(since)).toEqual([
      { type: 'Connection Updated', id: SHARED_SERVICES, fields: ['tags'] },
    ]);
  });

  it("tagging an OU reads that OU's tags alone, and publishes one update of its folder", async () => {
    const before = tagCalls();
    const since = runtime.bus.list().length;

    await sandboxTag('ous', INFRASTRUCTURE, { owner: 'network-team' });

    expect(tagCalls() - before).toBe(1);
    expect(await tagsOf(INFRASTRUCTURE)).toEqual({ owner: 'network-team' });
    // Tags are not inherited: the accounts inside keep their own.
    expect(await tagsOf(NETWORK)).toEqual({ team: 'network' });
    expect(eventsSince(since)).toEqual([{ type: 'Folder Updated', id: INFRASTRUCTURE, fields: ['tags'] }]);
  });

  it('an exclude rule leaves a tagged account out, and it comes back when the tag goes', async () => {
    await patch({ filters: { excludeAccountTags: { retired: null } } });
    const since = runtime.bus.list().length;

    await sandboxTag('accounts', NETWORK, { retired: 'yes' });

    expect((await tree()).map((node) => node.id)).not.toContain(NETWORK);
    expect(eventsSince(since)).toEqual([{ type: 'Connection Deleted', id: NETWORK, fields: undefined }]);

    await sandboxTag('accounts', NETWORK, { retired: null });

    expect(await tagsOf(NETWORK)).toEqual({ team: 'network' });
    expect(eventsSince(since).map((event) => event.type)).toEqual([
      'Connection Deleted',
      'Connection Created',
    ]);
  });

  it('with keys named, keeps only those keys and the ones the tag rules need', async () => {
    await patch({ tags: { read: true, keys: ['team'] } });

    expect(await tagsOf(SHARED_SERVICES)).toEqual({ team: 'platform' });
    expect(await tagsOf(INFRASTRUCTURE)).toEqual({});

    await patch({ tags: { read: false }, filters: null });

    const nodes = await tree();
    expect(nodes.filter((node) => node.tags !== undefined)).toEqual([]);
  });

  it('refuses a tag rule with an empty key, or one over 128 characters, naming the field', async () => {
    const current = await api.call(tenant, 'GET', base());
    const ifMatch = { 'if-match': current.headers.get('etag') ?? '' };
    for (const key of ['', 'k'.repeat(129)]) {
      const answer = await api.call(
        tenant,
        'PATCH',
        base(),
        { filters: { accountTags: { [key]: null } } },
        ifMatch,
      );

      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body)).toContain('filters.accountTags');
    }
    const keys = await api.call(tenant, 'PATCH', base(), { tags: { read: true, keys: [''] } }, ifMatch);
    expect(keys.status).toBe(400);
    expect(JSON.stringify(keys.body)).toContain('tags.keys');
  });
});
