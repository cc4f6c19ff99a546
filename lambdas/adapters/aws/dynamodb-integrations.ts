import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { type Integration, integrationSchema } from '../../../schemas/api/integrations';
import { GLOBAL_INDEXES, ITEM_KEYS } from '../../../schemas/table';
import { NotFoundError, VersionConflictError } from '../../core/errors';
import {
  HandleTakenError,
  type IntegrationPage,
  type IntegrationStore,
  type IntegrationUpdate,
  type NewIntegration,
  RoleAlreadyConnectedError,
} from '../../integrations/ports';
import { IntegrationDeletingError } from '../../sync/ports';
import { decodeCursor, encodeCursor } from './cursor';
import { outboxItem, type TransactItem } from './dynamodb-sync';

/**
 * Integrations as `TENANT#<id>` / `INTEGRATION#<id>` items. A handle and a role are claimed by
 * items of their own in the same transaction, which is what makes both unique per tenant.
 */
export class DynamoDbIntegrations implements IntegrationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create({ tenantId, integration, roleIdentity, event, firstDueAt }: NewIntegration): Promise<void> {
    const pk = ITEM_KEYS.tenant(tenantId);
    const sk = ITEM_KEYS.integration(integration.id);
    const claim = { integrationId: integration.id, createdAt: integration.createdAt };
    const routing =
      integration.managementAccountId === null
        ? {}
        : {
            routingPk: ITEM_KEYS.managementAccount(integration.partition, integration.managementAccountId),
            routingSk: `${pk}#${sk}`,
          };
    const { partitionKey: duePk, sortKey: dueSk } = GLOBAL_INDEXES.bySchedule;
    const schedule = { [duePk]: ITEM_KEYS.scheduleDue, [dueSk]: firstDueAt };
    const ifAbsent = 'attribute_not_exists(pk)';
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  pk,
                  sk,
                  ...integration,
                  ...routing,
                  ...schedule,
                  eventSequence: event.detail.sequence,
                },
                ConditionExpression: ifAbsent,
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: { pk, sk: ITEM_KEYS.integrationHandle(integration.handle), ...claim },
                ConditionExpression: ifAbsent,
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: { pk, sk: ITEM_KEYS.integrationRole(roleIdentity), ...claim },
                ConditionExpression: ifAbsent,
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: outboxItem(tenantId, integration.id, event, Date.parse(integration.createdAt)),
                ConditionExpression: ifAbsent,
              },
            },
          ],
        }),
      );
    } catch (error: unknown) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      // Reasons come in the order of TransactItems: [integration, handle, role].
      const failed = (error.CancellationReasons ?? []).map(
        (reason) => reason.Code === 'ConditionalCheckFailed',
      );
      if (failed[1]) throw new HandleTakenError(integration.handle);
      if (failed[2]) throw new RoleAlreadyConnectedError(integration.roleArn);
      throw error;
    }
  }

  async update({ tenantId, before, after, roleIdentities, event }: IntegrationUpdate): Promise<void> {
    const pk = ITEM_KEYS.tenant(tenantId);
    const claim = { integrationId: after.id, createdAt: after.updatedAt };
    const ours = {
      ConditionExpression: 'integrationId = :integration',
      ExpressionAttributeValues: { ':integration': after.id },
    };
    const fields = (Object.keys(after) as (keyof Integration)[]).filter(
      (field) => JSON.stringify(after[field]) !== JSON.stringify(before[field]),
    );
    const items: TransactItem[] = [
      {
        Update: {
          TableName: this.tableName,
          Key: { pk, sk: ITEM_KEYS.integration(after.id) },
          ConditionExpression: 'version = :expected AND attribute_not_exists(deletingSince)',
          UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(fields.map((field, i) => [`#f${i}`, field])),
          ExpressionAttributeValues: {
            ':expected': before.version,
            ...Object.fromEntries(fields.map((field, i) => [`:f${i}`, after[field]])),
          },
        },
      },
    ];
    /** Positions of the new claims, to name a refused one. */
    const claims: { position: number; error: () => Error }[] = [];
    /** Claims the new key and releases the old one, in the same transaction. */
    const moveClaim = (from: string, to: string, error: () => Error) => {
      claims.push({ position: items.length, error });
      items.push(
        {
          Put: {
            TableName: this.tableName,
            Item: { pk, sk: to, ...claim },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { Delete: { TableName: this.tableName, Key: { pk, sk: from }, ...ours } },
      );
    };
    if (after.handle !== before.handle) {
      moveClaim(
        ITEM_KEYS.integrationHandle(before.handle),
        ITEM_KEYS.integrationHandle(after.handle),
        () => new HandleTakenError(after.handle),
      );
    }
    if (roleIdentities && roleIdentities.after !== roleIdentities.before) {
      moveClaim(
        ITEM_KEYS.integrationRole(roleIdentities.before),
        ITEM_KEYS.integrationRole(roleIdentities.after),
        () => new RoleAlreadyConnectedError(after.roleArn),
      );
    }
    items.push({
      Put: {
        TableName: this.tableName,
        Item: outboxItem(tenantId, after.id, event, Date.parse(after.updatedAt)),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error: unknown) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const failed = (position: number) =>
        error.CancellationReasons?.[position]?.Code === 'ConditionalCheckFailed';
      if (failed(0)) {
        const current = await this.get(tenantId, after.id);
        if (!current) throw new NotFoundError('The integration');
        if (current.status === 'deleting') throw new IntegrationDeletingError();
        throw new VersionConflictError(current.version);
      }
      for (const { position, error: refused } of claims) if (failed(position)) throw refused();
      throw error;
    }
  }

  async get(tenantId: string, integrationId: string): Promise<Integration | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: ITEM_KEYS.tenant(tenantId), sk: ITEM_KEYS.integration(integrationId) },
      }),
    );
    return Item ? integrationSchema.parse(Item) : undefined;
  }

  async list(tenantId: string, page: { limit: number; cursor?: string }): Promise<IntegrationPage> {
    const pk = ITEM_KEYS.tenant(tenantId);
    const { Items = [], LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': ITEM_KEYS.integrationPrefix },
        Limit: page.limit,
        // The partition key always comes from the verified tenant, never from the cursor.
        ...(page.cursor === undefined
          ? {}
          : { ExclusiveStartKey: { pk, sk: decodeCursor(page.cursor, ITEM_KEYS.integrationPrefix) } }),
      }),
    );
    return {
      items: Items.map((item) => integrationSchema.parse(item)),
      nextCursor: LastEvaluatedKey ? encodeCursor(String(LastEvaluatedKey.sk)) : null,
    };
  }
}
