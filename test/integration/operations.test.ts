import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDbOutbox } from '../../lambdas/adapters/aws/dynamodb-outbox';
import { EventBridgeBus } from '../../lambdas/adapters/aws/eventbridge-bus';
import { createDocumentClient } from '../../lambdas/core/dynamodb';
import { replayEvents } from '../../lambdas/publisher/replay';
import { makePublisher } from '../../lambdas/publisher/service';
import { localDynamoDbClient } from '../../local/dynamodb-local';
import type { LocalRuntime } from '../../local/runtime';
import type { Integration } from '../../schemas/api/integrations';
import { localApi } from '../fixtures/local-api';
import { startTestRuntime } from '../fixtures/test-runtime';

jest.setTimeout(60_000);

let runtime: LocalRuntime;
const api = localApi(() => runtime);
const tenant = { tenantId: 'operations' };
let integration: Integration;

beforeAll(async () => {
  runtime = await startTestRuntime();
  integration = await api.createOrganizationIntegration(tenant, { handle: 'replayed' });
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
