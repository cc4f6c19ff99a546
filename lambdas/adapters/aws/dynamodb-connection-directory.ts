import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { connectionSchema, memberHealthSchema } from '../../../schemas/sync';
import { ITEM_KEYS } from '../../../schemas/table';
import type { ConnectionDirectory, ConnectionLocator, ConnectionRecord } from '../../credentials/ports';
import { nodeKey } from '../../domain/node-key';
import { ALL_WORKSPACES } from '../../domain/workspace-keys';
import { batchGetAll } from './batch';
import { integrationItem, memberHealthItem, mirrorItem, nodeHandleClaim } from './table/items';

/**
 * The broker's reads of the single table. Every read is strongly consistent: an un-share, a
 * closed account or a deletion counts from the moment its write succeeded.
 */
export class DynamoDbConnectionDirectory implements ConnectionDirectory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async findByHandle(tenantId: string, handle: string): Promise<ConnectionLocator | null> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: nodeHandleClaim.key(tenantId, handle),
        ConsistentRead: true,
      }),
    );
    const integrationId = Item?.integrationId;
    const node = Item?.node;
    if (typeof integrationId !== 'string' || typeof node !== 'string') return null;
    const accountId = node.slice(nodeKey({ type: 'connection', id: '' }).length);
    // A folder's handle names no connection.
    if (node !== nodeKey({ type: 'connection', id: accountId })) return null;
    return { integrationId, accountId };
  }

  /** One BatchGetItem: the integration, the connection, its health and its two read-model entries. */
  async read(
    tenantId: string,
    { integrationId, accountId }: ConnectionLocator,
    workspaceId: string,
  ): Promise<ConnectionRecord | null> {
    const pk = ITEM_KEYS.tenant(tenantId);
    const keys = {
      integration: integrationItem.key(tenantId, integrationId).sk,
      connection: mirrorItem.key(tenantId, integrationId, { type: 'connection', id: accountId }).sk,
      health: memberHealthItem.key(tenantId, integrationId, accountId).sk,
      sharedNamed: ITEM_KEYS.share(workspaceId, integrationId, accountId),
      sharedAll: ITEM_KEYS.share(ALL_WORKSPACES, integrationId, accountId),
    };
    const items = await batchGetAll(
      this.db,
      this.tableName,
      Object.values(keys).map((sk) => ({ pk, sk })),
      { consistentRead: true },
    );
    const bySk = new Map(items.map((item) => [String(item.sk), item]));
    const integration = bySk.get(keys.integration);
    const connection = bySk.get(keys.connection);
    if (!integration || !connection) return null;
    const health = bySk.get(keys.health);
    const record = integrationItem.parse(integration);
    return {
      integration: record.integration,
      deleting: record.sync.deletingSince !== undefined,
      connection: connectionSchema.parse(connection),
      health: health ? memberHealthSchema.parse(health) : null,
      inWorkspaceReadModel: bySk.has(keys.sharedNamed) || bySk.has(keys.sharedAll),
    };
  }
}
