import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../../../schemas/api/audit';
import { ITEM_KEYS } from '../../../schemas/table';
import { ValidationError } from '../../core/errors';
import type { AuditRecord } from '../../domain/audit';
import type { Page } from '../../domain/page';
import type { AuditLog, AuditSelection } from '../../ports/audit';
import { decodeCursor, encodeCursor } from './cursor';
import { absent } from './table/expressions';
import { auditItem } from './table/items';

/** Sorts after every entry id, so a range ends after the last entry of its last instant. */
const AFTER_ANY_ID = '#~';

/**
 * The audit log as `TENANT#<id>` / `AUDIT#<at>#<id>` items: one Query reads a time range newest
 * first. Which integration, and which orgs the reader may see, are filters on that range.
 */
export class DynamoDbAuditLog implements AuditLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(tenantId: string, record: AuditRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: auditItem.item(tenantId, record),
        ConditionExpression: absent.expression,
      }),
    );
  }

  async list(tenantId: string, selection: AuditSelection): Promise<Page<AuditEntry>> {
    const { orgIds, integrationId } = selection;
    if (orgIds !== 'all' && orgIds.length === 0) return { items: [], nextCursor: null };
    const pk = ITEM_KEYS.tenant(tenantId);
    const lowest = `${ITEM_KEYS.auditPrefix}${selection.from}`;
    const highest = `${ITEM_KEYS.auditPrefix}${selection.to}${AFTER_ANY_ID}`;
    const cursor = selection.cursor && decodeCursor(selection.cursor, ITEM_KEYS.auditPrefix);
    if (cursor !== undefined && (cursor < lowest || cursor > highest)) {
      throw new ValidationError('The cursor belongs to another range.', [
        { field: 'query.cursor', message: 'ask again with the from and to the cursor came with' },
      ]);
    }
    const filters: string[] = [];
    const values: Record<string, unknown> = { ':pk': pk, ':lowest': lowest, ':highest': highest };
    if (integrationId !== undefined) {
      filters.push('integrationId = :integrationId');
      values[':integrationId'] = integrationId;
    }
    if (orgIds !== 'all') {
      const names = orgIds.map((orgId, index) => {
        values[`:org${index}`] = orgId;
        return `:org${index}`;
      });
      filters.push(`scopeOrgId IN (${names.join(', ')})`);
    }
    const { Items = [], LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lowest AND :highest',
        ...(filters.length === 0 ? {} : { FilterExpression: filters.join(' AND ') }),
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: selection.limit,
        ...(cursor === undefined ? {} : { ExclusiveStartKey: { pk, sk: cursor } }),
      }),
    );
    return {
      items: Items.map((item) => auditItem.parse(item)),
      nextCursor: LastEvaluatedKey ? encodeCursor(String(LastEvaluatedKey.sk)) : null,
    };
  }
}
