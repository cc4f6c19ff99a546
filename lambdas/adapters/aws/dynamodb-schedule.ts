import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { GLOBAL_INDEXES, ITEM_KEYS, integrationOfKeys, TABLE_KEYS } from '../../../schemas/table';
import type { Page, PageRequest } from '../../domain/page';
import type { DueIntegration, ScheduleStore } from '../../schedule/ports';
import { integrationItem } from './table/items';
import { updateIf } from './table/transaction';

const { indexName, partitionKey: duePk, sortKey: dueSk } = GLOBAL_INDEXES.bySchedule;

/**
 * The `by-schedule` index: every integration item carries `duePk` (one partition) and `dueSk`
 * (its next due time), so due integrations are one range read, earliest first.
 */
export class DynamoDbSchedule implements ScheduleStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async due(now: string, page: PageRequest): Promise<Page<DueIntegration>> {
    const { Items = [], LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: indexName,
        KeyConditionExpression: '#pk = :pk AND #sk <= :now',
        ExpressionAttributeNames: { '#pk': duePk, '#sk': dueSk },
        ExpressionAttributeValues: { ':pk': ITEM_KEYS.scheduleDue, ':now': now },
        Limit: page.limit,
        // The cursor never leaves the fan-out: it is the index's own key, not a tenant's input.
        ExclusiveStartKey: page.cursor === undefined ? undefined : JSON.parse(page.cursor),
      }),
    );
    const items: DueIntegration[] = [];
    for (const item of Items) {
      const integration = integrationOfKeys(item[TABLE_KEYS.partitionKey], item[TABLE_KEYS.sortKey]);
      if (integration) items.push({ ...integration, dueAt: String(item[dueSk]) });
    }
    return { items, nextCursor: LastEvaluatedKey ? JSON.stringify(LastEvaluatedKey) : null };
  }

  async reschedule(from: DueIntegration, to: string): Promise<boolean> {
    const moved = await updateIf(
      this.db,
      this.tableName,
      integrationItem.key(from.tenantId, from.integrationId),
      { set: { [dueSk]: to } },
      integrationItem.dueAtIs(from.dueAt),
    );
    return moved !== null;
  }
}
