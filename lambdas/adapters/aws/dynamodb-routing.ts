import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Partition } from '../../../schemas/api/common';
import { GLOBAL_INDEXES, ITEM_KEYS, integrationOfKeys, TABLE_KEYS } from '../../../schemas/table';
import type { RoutedIntegration, RoutingPort } from '../../router/ports';

/** EventBridge retries a delivery for up to 24 h; a sighting outlives that. */
const SIGHTING_TTL_SECONDS = 25 * 3600;

/** Routing reads the `by-management-account` index; sightings are items under the integration's tenant. */
export class DynamoDbRouting implements RoutingPort {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async integrationsOf(partition: Partition, accountId: string): Promise<RoutedIntegration[]> {
    const { indexName, partitionKey } = GLOBAL_INDEXES.byManagementAccount;
    const found: RoutedIntegration[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': partitionKey },
          ExpressionAttributeValues: { ':pk': ITEM_KEYS.managementAccount(partition, accountId) },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const integration = integrationOfKeys(item[TABLE_KEYS.partitionKey], item[TABLE_KEYS.sortKey]);
        if (integration) found.push(integration);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return found;
  }

  async seen(target: RoutedIntegration, eventId: string): Promise<boolean> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(target, eventId), ConsistentRead: true }),
    );
    // TTL deletes lazily: an expired sighting no longer counts.
    const expiresAt = Item?.[TABLE_KEYS.timeToLive];
    return typeof expiresAt === 'number' && expiresAt * 1000 > this.now();
  }

  async remember(target: RoutedIntegration, eventId: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...this.key(target, eventId),
          [TABLE_KEYS.timeToLive]: Math.floor(this.now() / 1000) + SIGHTING_TTL_SECONDS,
        },
      }),
    );
  }

  private key(target: RoutedIntegration, eventId: string) {
    return {
      [TABLE_KEYS.partitionKey]: ITEM_KEYS.tenant(target.tenantId),
      [TABLE_KEYS.sortKey]: ITEM_KEYS.ingressEvent(target.integrationId, eventId),
    };
  }
}
