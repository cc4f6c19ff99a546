import { type DynamoDBDocumentClient, paginateQuery, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { type ChangeEvent, DETAIL_TYPES } from '../../../schemas/events';
import { ITEM_KEYS } from '../../../schemas/table';
import type { ActivityReader, EventPage } from '../../integrations/ports';
import type { OutboxReader } from '../../publisher/ports';

const storedEventSchema = z.object({
  detailType: z.enum(DETAIL_TYPES),
  detail: z.object({ sequence: z.number(), eventId: z.string() }).loose(),
});

/** The outbox items of an integration, read back in sequence order (their sort keys sort so). */
export class DynamoDbOutbox implements OutboxReader, ActivityReader {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async *pages(
    tenantId: string,
    integrationId: string,
    range: { readonly from: number; readonly to: number },
  ): AsyncIterable<readonly ChangeEvent[]> {
    const pages = paginateQuery(
      { client: this.db, pageSize: 100 },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': ITEM_KEYS.tenant(tenantId),
          ':from': ITEM_KEYS.outbox(integrationId, range.from),
          ':to': ITEM_KEYS.outbox(integrationId, range.to),
        },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      yield (page.Items ?? []).map((item) => storedEventSchema.parse(item) as ChangeEvent);
    }
  }

  /** One page between the bounds (both excluded); one item more than asked tells if there are more. */
  async page(
    tenantId: string,
    integrationId: string,
    query: {
      readonly afterSequence: number;
      readonly beforeSequence?: number;
      readonly limit: number;
      readonly order: 'asc' | 'desc';
    },
  ): Promise<EventPage> {
    const before = query.beforeSequence ?? ITEM_KEYS.lastOutboxSequence + 1;
    const answer = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': ITEM_KEYS.tenant(tenantId),
          ':from': ITEM_KEYS.outbox(integrationId, query.afterSequence + 1),
          ':to': ITEM_KEYS.outbox(integrationId, before - 1),
        },
        ScanIndexForward: query.order === 'asc',
        Limit: query.limit + 1,
      }),
    );
    const items = (answer.Items ?? []).map((item) => storedEventSchema.parse(item) as ChangeEvent);
    return { items: items.slice(0, query.limit), hasMore: items.length > query.limit };
  }
}
