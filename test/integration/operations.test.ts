import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDbOutbox } from '../../lambdas/adapters/aws/dynamodb-outbox';
import { DynamoDbShares } from '../../lambdas/adapters/aws/dynamodb-shares';
import { EventBridgeBus } from '../../lambdas/adapters/aws/eventbridge-bus';
import { readModelRebuildAdapters } from '../../lambdas/composition/edges';
import { createDocumentClient } from '../../lambdas/core/dynamodb';
import { replayEvents } from '../../lambdas/publisher/replay';
import { makePublisher } from '../../lambdas/publisher/service';
import type { ShareEntry, ShareKey } from '../../lambdas/shares/ports';
import { rebuildReadModel } from '../../lambdas/shares/rebuild';
import { localDynamoDbClient } from '../../local/dynamodb-local';
import type { LocalRuntime } from '../../local/runtime';
import type { Integration } from '../../schemas/api/integrations';
import type { Connection } from '../../schemas/sync';
import { localApi } from '../fixtures/local-api';
import { startTestRuntime } from '../fixtures/test-runtime';

jest.setTimeout(60_000);

let runtime: LocalRuntime;
const api = localApi(() => runtime);
const tenant = { tenantId: 'operations' };
let integration: Integration;

beforeAll(async () => {
  runtime = await startTestRuntime();
  integration = await api.createOrganizationIntegration(tenant, {
    handle: 'replayed',
    permissions: { share: 'all' },
  });
  await runtime.settled();
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

/** What `npm run replay-events` runs, with the SDK clients pointed at the local runtime. */
function replay(fromSequence: number, toSequence?: number) {
  const bus = new EventBridgeBus(
    new EventBridgeClient({
      endpoint: `${runtime.url}/local/eventbridge`,
      region: runtime.config.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    'aws-org-connections-local',
  );
  return replayEvents(
    {
      outbox: new DynamoDbOutbox(
        createDocumentClient(localDynamoDbClient(runtime.dynamoDbEndpoint)),
        runtime.config.tableName,
      ),
      publish: makePublisher({ bus, source: 'aws-org-connections' }),
    },
    {
      tenantId: tenant.tenantId,
      integrationId: integration.id,
      fromSequence,
      ...(toSequence === undefined ? {} : { toSequence }),
    },
  );
}

describe('npm run replay-events', () => {
  it('publishes stored outbox events again, in order, with their original event ids, through PutEvents', async () => {
    const ofIntegration = () =>
      runtime.bus
        .list()
        .map((event) => event.detail as { integrationId: string; sequence: number; eventId: string })
        .filter((detail) => detail.integrationId === integration.id);
    const published = ofIntegration();
    const since = runtime.bus.list().length;

    const outcome = await replay(3, 7);

    const replayed = runtime.bus
      .list(since)
      .map((event) => event.detail as { sequence: number; eventId: string });
    expect(outcome).toMatchObject({ events: 5, last: 7 });
    expect(replayed.map((detail) => detail.sequence)).toEqual([3, 4, 5, 6, 7]);
    expect(replayed.map((detail) => detail.eventId)).toEqual(
      published
        .filter((detail) => detail.sequence >= 3 && detail.sequence <= 7)
        .map((detail) => detail.eventId),
    );
  });

  it('replays to the last stored event without --to, and nothing past it', async () => {
    const stored = runtime.bus
      .list()
      .filter((event) => (event.detail as { integrationId: string }).integrationId === integration.id);
    const last = Math.max(...stored.map((event) => (event.detail as { sequence: number }).sequence));

    const outcome = await replay(last - 1);
    const beyond = await replay(last + 1);

    expect(outcome).toMatchObject({ events: 2, last });
    expect(beyond).toEqual({ events: 0, calls: 0, last: null });
  });
});

describe('npm run rebuild-read-model', () => {
  const db = () => createDocumentClient(localDynamoDbClient(runtime.dynamoDbEndpoint));
  const shared = async () => {
    const answer = await api.call(tenant, 'GET', '/v1/workspaces/ws-1/connections?limit=100');
    return (answer.body as { items: { connection: { id: string } }[] }).items
      .map((item) => item.connection.id)
      .sort();
  };

  it('brings a damaged read model back to what the mirror shares', async () => {
    const before = await shared();
    const store = new DynamoDbShares(db(), runtime.config.tableName);
    const [lost] = await store.keysOf(tenant.tenantId, integration.id);
    if (!lost) throw new Error('nothing is shared');
    // One entry lost, one that the mirror never shared.
    await store.write(
      [{ ...(await entryLike(lost)), workspaceKey: 'ws-1', accountId: '999999999999' }],
      [lost],
    );
    const damaged = await shared();

    const outcome = await rebuildReadModel(
      readModelRebuildAdapters(db(), runtime.config.tableName),
      tenant.tenantId,
      integration.id,
    );

    expect(damaged).not.toEqual(before);
    expect(await shared()).toEqual(before);
    expect(outcome.deletes).toBe(1);
    expect(outcome.puts).toBe(before.length);
  });

  /** A well-formed entry to damage the read model with. */
  async function entryLike(key: ShareKey): Promise<ShareEntry> {
    const connection = (
      await api.call(tenant, 'GET', `/v1/integrations/${integration.id}/connections/${key.accountId}`)
    ).body as Connection;
    return {
      ...key,
      scope: { level: 'tenant' },
      via: 'selected',
      connection: { ...connection, id: '999999999999' },
    };
  }
});
