import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { PublisherMetrics } from '../../../lambdas/functions/publisher';
import type { EventBusPort } from '../../../lambdas/publisher/ports';
import { ITEM_KEYS } from '../../../schemas/table';

/** The handler module reads its environment at import, as Lambda loads it. */
async function loadHandlerModule() {
  Object.assign(process.env, { CONNECTIONS_BUS_NAME: 'connections', AWS_REGION: 'us-east-1' });
  return import('../../../lambdas/functions/publisher');
}

/** A batch of the table's stream with `count` outbox inserts of one integration. */
function outboxInserts(count: number): Pick<DynamoDBStreamEvent, 'Records'> {
  return {
    Records: Array.from({ length: count }, (_, index) => ({
      eventName: 'INSERT' as const,
      dynamodb: {
        NewImage: marshall({
          pk: ITEM_KEYS.tenant('acme'),
          sk: ITEM_KEYS.outbox('430a62f0-860c-4bbc-a692-1c2fa43a9201', index + 1),
          detailType: 'Connection Created',
          detail: {
            sequence: index + 1,
            eventId: `event-${index + 1}`,
            tenantId: 'acme',
            integrationId: '430a62f0-860c-4bbc-a692-1c2fa43a9201',
          },
        }) as never,
      },
    })),
  };
}

function counter() {
  const counted: [string, number][] = [];
  const metrics: PublisherMetrics = { count: (metric, events) => counted.push([metric, events]) };
  return { counted, metrics };
}

describe('the outbox publisher', () => {
  it('counts the events the bus took', async () => {
    const { createHandler } = await loadHandlerModule();
    const { counted, metrics } = counter();
    const bus: EventBusPort = { put: async () => [] };

    await createHandler({ bus, source: 'aws-org-connections', metrics })(outboxInserts(12));

    expect(counted).toEqual([['PublishedEvents', 12]]);
  });

  it('counts a batch it gives back to the stream, and fails so the stream delivers it again', async () => {
    const { createHandler } = await loadHandlerModule();
    const { counted, metrics } = counter();
    const bus: EventBusPort = {
      put: async () => {
        throw new Error('EventBridge unavailable');
      },
    };

    await expect(
      createHandler({ bus, source: 'aws-org-connections', metrics })(outboxInserts(3)),
    ).rejects.toThrow();
    expect(counted).toEqual([['UnpublishedEvents', 3]]);
  });
});
