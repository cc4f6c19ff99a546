import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  connectionSchema,
  type MemberAccessSummary,
  type MemberHealth,
  memberHealthSchema,
} from '../../../schemas/sync';
import { ITEM_KEYS } from '../../../schemas/table';
import { logger } from '../../core/logger';
import type { PageRequest } from '../../domain/page';
import type { HealthRecord, MemberHealthStore } from '../../ports/member-health';
import { batchGetAll, batchWriteAll } from './batch';
import { queryPage } from './query-page';
import { absent, and, exists } from './table/expressions';
import { integrationItem, memberHealthItem, mirrorItem } from './table/items';
import { writePublishing } from './table/publishing';
import { TransactionCancelledError, updateIf } from './table/transaction';

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

  async connections(tenantId: string, integrationId: string, page: PageRequest) {
    const result = await queryPage(this.db, this.tableName, {
      tenantId,
      prefix: ITEM_KEYS.connectionPrefix(integrationId),
      ...page,
    });
    return { ...result, items: result.items.map((item) => connectionSchema.parse(item)) };
  }

  async connectionsById(tenantId: string, integrationId: string, accountIds: readonly string[]) {
    const items = await batchGetAll(
      this.db,
      this.tableName,
      accountIds.map((id) => mirrorItem.key(tenantId, integrationId, { type: 'connection', id })),
    );
    return items.map((item) => connectionSchema.parse(item));
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
    await updateIf(
      this.db,
      this.tableName,
      integrationItem.key(tenantId, integrationId),
      { set: { memberAccess: summary } },
      and(exists, integrationItem.notDeleting),
    );
  }

  private async recordChanges(tenantId: string, integrationId: string, changed: readonly HealthRecord[]) {
    const announce = changed.flatMap((record) => (record.event ? [record.event] : []));
    try {
      await writePublishing(this.db, this.tableName, {
        tenantId,
        integrationId,
        events: (first) => announce.map((event, offset) => event(first + offset)),
        integration: { condition: integrationItem.notDeleting },
        rest: (transaction) => {
          for (const record of changed) {
            transaction.put(
              `health ${record.accountId}`,
              this.itemOf(tenantId, integrationId, record),
              record.before === null ? absent : memberHealthItem.checkedAtIs(record.before.checkedAt),
            );
          }
        },
        refused: (cancelled) => cancelled,
        now: this.clock(),
      });
    } catch (error: unknown) {
      if (!(error instanceof TransactionCancelledError)) throw error;
      // The integration went, or another check recorded these accounts first: theirs stands.
      logger.info('member health not recorded: it changed meanwhile', {
        integrationId,
        accounts: changed.length,
        refused: [...error.refused],
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
    return memberHealthItem.key(tenantId, integrationId, accountId);
  }
}
