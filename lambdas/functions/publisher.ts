import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod';
import { envSchema } from '../../schemas/environment';
import type { ChangeEvent } from '../../schemas/events';
import { ITEM_KEYS } from '../../schemas/table';
import { publisherAdapters } from '../composition/edges';
import { loadEnv } from '../core/env';
import { lambdaHandler } from '../core/lambda-handler';
import { logger } from '../core/logger';
import { functionMetrics } from '../core/metrics';
import type { EventBusPort } from '../publisher/ports';
import { isDetailType, makePublisher } from '../publisher/service';

const outboxItemSchema = z.object({
  sk: z.string().startsWith(ITEM_KEYS.outboxPrefix),
  detailType: z.string().refine(isDetailType),
  detail: z.object({ sequence: z.number(), eventId: z.string() }).loose(),
});

/**
 * The outbox's reader: new outbox items in the table's stream become events on the connections
 * bus. The event source mapping's filter passes only outbox INSERTs; the check here keeps the
 * local runtime, which feeds every record, to the same rule.
 */
export function createHandler(deps: { bus: EventBusPort; source: string; metrics: PublisherMetrics }) {
  const publish = makePublisher(deps);
  return async (event: Pick<DynamoDBStreamEvent, 'Records'>) => {
    const events: ChangeEvent[] = [];
    for (const record of event.Records) {
      const image = record.dynamodb?.NewImage;
      if (record.eventName !== 'INSERT' || !image) continue;
      const item = unmarshall(image as Record<string, AttributeValue>);
      if (typeof item.sk !== 'string' || !item.sk.startsWith(ITEM_KEYS.outboxPrefix)) continue;
      const parsed = outboxItemSchema.parse(item);
      events.push({ detailType: parsed.detailType as ChangeEvent['detailType'], detail: parsed.detail });
    }
    if (events.length === 0) return;
    let calls: number;
    try {
      ({ calls } = await publish(events));
    } catch (error: unknown) {
      // What `npm run replay-events` needs, should the stream give up on this batch.
      logger.error('connection-change events not published', { error, ranges: rangesOf(events) });
      deps.metrics.count('UnpublishedEvents', events.length);
      throw error;
    }
    logger.info('published connection-change events', { events: events.length, putEventsCalls: calls });
    deps.metrics.count('PublishedEvents', events.length);
  };
}

/** Events of a batch the bus took, and of a batch given back to the stream to try again. */
export interface PublisherMetrics {
  count(metric: 'PublishedEvents' | 'UnpublishedEvents', events: number): void;
}

/** Each integration's first and last sequence number in a batch, with its tenant. */
function rangesOf(events: readonly ChangeEvent[]) {
  const ranges = new Map<string, { tenantId: string; integrationId: string; from: number; to: number }>();
  for (const { detail } of events) {
    const tenantId = String(detail.tenantId);
    const integrationId = String(detail.integrationId);
    const range = ranges.get(integrationId);
    ranges.set(integrationId, {
      tenantId,
      integrationId,
      from: Math.min(range?.from ?? detail.sequence, detail.sequence),
      to: Math.max(range?.to ?? detail.sequence, detail.sequence),
    });
  }
  return [...ranges.values()];
}

const env = loadEnv(envSchema('CONNECTIONS_BUS_NAME', 'EVENT_SOURCE'));

export const handler = lambdaHandler(
  createHandler({
    ...publisherAdapters(env.CONNECTIONS_BUS_NAME, env.EVENT_SOURCE),
    metrics: functionMetrics('publisher'),
  }),
);
