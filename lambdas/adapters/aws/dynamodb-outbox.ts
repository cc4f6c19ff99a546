import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { type ChangeEvent, DETAIL_TYPES } from '../../../schemas/events';
import { ITEM_KEYS } from '../../../schemas/table';
import type { OutboxReader } from '../../publisher/replay';

const storedEventSchema = z.object({
  detailType: z.enum(DETAIL_TYPES),
  detail: z.object({ sequence: z.number(), eventId: z.string() }).loose(),
});

/** The outbox items of an integration, read back in sequence order (their sort keys sort so). */
export class DynamoDbOutbox implements OutboxReader {
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
}
