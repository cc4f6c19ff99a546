import { type DynamoDBDocumentClient, paginateQuery, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { workspaceConnectionSchema } from '../../../schemas/api/workspaces';
import { ITEM_KEYS } from '../../../schemas/table';
import type { PageRequest } from '../../domain/page';
import { ALL_WORKSPACES } from '../../domain/workspace-keys';
import type { ShareEntry, ShareKey, ShareStore } from '../../shares/ports';
import { batchWriteAll } from './batch';
import { decodeCursor, encodeCursor } from './cursor';

/** The workspaces' read model in the single table (see ITEM_KEYS.share). */
export class DynamoDbShares implements ShareStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async write(puts: readonly ShareEntry[], deletes: readonly ShareKey[]): Promise<void> {
    await batchWriteAll(this.db, this.tableName, [
      ...puts.map((entry) => ({ PutRequest: { Item: { ...this.keyOf(entry), ...entry } } })),
      ...deletes.map((key) => ({ DeleteRequest: { Key: this.keyOf(key) } })),
    ]);
  }

  async keysOf(tenantId: string, integrationId: string): Promise<readonly ShareKey[]> {
    const keys: ShareKey[] = [];
    const pages = paginateQuery(
      { client: this.db, pageSize: 1000 },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        FilterExpression: 'integrationId = :integration',
        ProjectionExpression: 'workspaceKey, accountId',
        ExpressionAttributeValues: {
          ':pk': ITEM_KEYS.tenant(tenantId),
          ':prefix': ITEM_KEYS.sharesPrefix,
          ':integration': integrationId,
        },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        keys.push({
          tenantId,
          integrationId,
          workspaceKey: String(item.workspaceKey),
          accountId: String(item.accountId),
        });
      }
    }
    return keys;
  }

  async list(tenantId: string, workspaceId: string, page: PageRequest) {
    const own = ITEM_KEYS.sharePrefix(workspaceId);
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, own).slice(own.length);
    const [named, everyone] = await Promise.all(
      [workspaceId, ALL_WORKSPACES].map((key) => this.query(tenantId, key, page.limit, after)),
    );
    const merged = [...(named?.entries ?? []), ...(everyone?.entries ?? [])].sort((a, b) =>
      a.suffix.localeCompare(b.suffix),
    );
    const items = merged.slice(0, page.limit);
    const more = merged.length > page.limit || Boolean(named?.more) || Boolean(everyone?.more);
    const last = items.at(-1);
    return {
      items: items.map((item) => item.entry),
      nextCursor: more && last ? encodeCursor(own + last.suffix) : null,
    };
  }

  /** One page of a workspace key's entries after `after` (an `<integrationId>#<accountId>`). */
  private async query(tenantId: string, workspaceKey: string, limit: number, after: string | undefined) {
    const prefix = ITEM_KEYS.sharePrefix(workspaceKey);
    const pk = ITEM_KEYS.tenant(tenantId);
    const { Items = [], LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        Limit: limit,
        ...(after === undefined ? {} : { ExclusiveStartKey: { pk, sk: prefix + after } }),
      }),
    );
    return {
      entries: Items.map((item) => {
        const shared = workspaceConnectionSchema.parse(item);
        const entry: ShareEntry = { ...shared, tenantId, workspaceKey, accountId: shared.connection.id };
        return { suffix: String(item.sk).slice(prefix.length), entry };
      }),
      more: LastEvaluatedKey !== undefined,
    };
  }

  private keyOf(key: ShareKey) {
    return {
      pk: ITEM_KEYS.tenant(key.tenantId),
      sk: ITEM_KEYS.share(key.workspaceKey, key.integrationId, key.accountId),
    };
  }
}
