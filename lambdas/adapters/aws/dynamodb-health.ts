import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  connectionSchema,
  type MemberAccessSummary,
  type MemberHealth,
  memberHealthSchema,
} from '../../../schemas/sync';
import { ITEM_KEYS } from '../../../schemas/table';
import { errorName } from '../../core/errors';
import { logger } from '../../core/logger';
import type { HealthRecord, MemberHealthStore } from '../../health/ports';
import { batchGetAll, batchWriteAll } from './batch';
import { outboxItem, type TransactItem } from './dynamodb-sync';
import { queryPage } from './query-page';

/** A health record no check renewed for this long is stale: TTL removes it. */
const HEALTH_TTL_SECONDS = 30 * 24 * 3600;
/** Changes per transaction: two items each, beside the integration's check (≤ 100 items). */
const CHANGES_PER_WRITE = 49;

/** Member-role health beside the mirror (see ITEM_KEYS.memberHealth). */
export class DynamoDbHealth implements MemberHealthStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: () => number = Date.now,
  ) {}

  async connections(tenantId: string, integrationId: string, page: { limit: number; cursor?: string }) {
    const result = await queryPage(this.db, this.tableName, {
      tenantId,
      prefix: ITEM_KEYS.connectionPrefix(integrationId),
      ...page,
    });
    return { ...result, items: result.items.map((item) => connectionSchema.parse(item)) };
  }

  async health(tenantId: string, integrationId: string, accountIds: readonly string[]) {
    const items = await batchGetAll(
      this.db,
      this.tableName,
      accountIds.map((accountId) => this.keyOf(tenantId, integrationId, accountId)),
    );
    const found = new Map<string, MemberHealth>();
    for (const item of items) found.set(String(item.accountId), memberHealthSchema.parse(item));
    return found;
  }

  async record(tenantId: string, integrationId: string, records: readonly HealthRecord[]): Promise<void> {
    const renewed = records.filter((record) => record.event === null);
    await batchWriteAll(
      this.db,
      this.tableName,
      renewed.map((record) => ({ PutRequest: { Item: this.itemOf(tenantId, integrationId, record) } })),
    );
    const changed = records.filter((record) => record.event !== null);
    for (let start = 0; start < changed.length; start += CHANGES_PER_WRITE) {
      await this.recordChanges(tenantId, integrationId, changed.slice(start, start + CHANGES_PER_WRITE));
    }
  }

  async summarise(tenantId: string, integrationId: string, summary: MemberAccessSummary): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: ITEM_KEYS.tenant(tenantId), sk: ITEM_KEYS.integration(integrationId) },
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletingSince)',
          UpdateExpression: 'SET memberAccess = :summary',
          ExpressionAttributeValues: { ':summary': summary },
        }),
      );
    } catch (error: unknown) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw error;
    }
  }

  private async recordChanges(tenantId: string, integrationId: string, changed: readonly HealthRecord[]) {
    const pk = ITEM_KEYS.tenant(tenantId);
    const items: TransactItem[] = [
      {
        ConditionCheck: {
          TableName: this.tableName,
          Key: { pk, sk: ITEM_KEYS.integration(integrationId) },
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletingSince)',
        },
      },
    ];
    for (const record of changed) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: this.itemOf(tenantId, integrationId, record),
          ...(record.before === null
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'checkedAt = :before',
                ExpressionAttributeValues: { ':before': record.before.checkedAt },
              }),
        },
      });
      if (record.event) {
        items.push({
          Put: {
            TableName: this.tableName,
            Item: outboxItem(tenantId, integrationId, record.event, this.clock()),
          },
        });
      }
    }
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error: unknown) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      // The integration went, or another check recorded these accounts first: theirs stands.
      logger.info('member health not recorded: it changed meanwhile', {
        integrationId,
        accounts: changed.length,
        reasons: (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None'),
      });
    }
  }

  private itemOf(tenantId: string, integrationId: string, record: HealthRecord) {
    return {
      ...this.keyOf(tenantId, integrationId, record.accountId),
      accountId: record.accountId,
      ...record.health,
      expiresAt: Math.floor(this.clock() / 1000) + HEALTH_TTL_SECONDS,
    };
  }

  private keyOf(tenantId: string, integrationId: string, accountId: string) {
    return { pk: ITEM_KEYS.tenant(tenantId), sk: ITEM_KEYS.memberHealth(integrationId, accountId) };
  }
}
