import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type Integration, integrationSchema } from '../../../schemas/api/integrations';
import { ITEM_KEYS } from '../../../schemas/table';
import { NotFoundError, VersionConflictError } from '../../core/errors';
import type { Page, PageRequest } from '../../domain/page';
import { IntegrationDeletingError } from '../../domain/sync-runs';
import {
  HandleTakenError,
  type IntegrationStore,
  type IntegrationUpdate,
  type NewIntegration,
  RoleAlreadyConnectedError,
} from '../../integrations/ports';
import { decodeCursor, encodeCursor } from './cursor';
import { absent, and, versionIs } from './table/expressions';
import { auditItem, integrationClaims, integrationItem, outboxItem } from './table/items';
import { writePublishing } from './table/publishing';
import { type ItemKey, Transaction, TransactionCancelledError } from './table/transaction';

/**
 * Integrations as `TENANT#<id>` / `INTEGRATION#<id>` items. A handle and a role are claimed by
 * items of their own in the same transaction, which is what makes both unique per tenant.
 */
export class DynamoDbIntegrations implements IntegrationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create({
    tenantId,
    integration,
    roleIdentity,
    event,
    firstDueAt,
    audit,
  }: NewIntegration): Promise<void> {
    const claim = (claimKey: ItemKey) =>
      integrationClaims.item(claimKey, integration.id, integration.createdAt);
    const created = Date.parse(integration.createdAt);
    const transaction = new Transaction(this.tableName)
      .put(
        'integration',
        integrationItem.item(tenantId, integration, { firstDueAt, eventSequence: event.detail.sequence }),
        absent,
      )
      .put('handle claim', claim(integrationClaims.handleKey(tenantId, integration.handle)), absent)
      .put('role claim', claim(integrationClaims.roleKey(tenantId, roleIdentity)), absent)
      .put('event', outboxItem.item(tenantId, integration.id, event, created), absent)
      .put('audit', auditItem.item(tenantId, audit), absent);
    try {
      await transaction.send(this.db);
    } catch (error: unknown) {
      if (!(error instanceof TransactionCancelledError)) throw error;
      if (error.failed('handle claim')) throw new HandleTakenError(integration.handle);
      if (error.failed('role claim')) throw new RoleAlreadyConnectedError(integration.roleArn);
      throw error;
    }
  }

  async update({ tenantId, before, after, roleIdentities, event, audit }: IntegrationUpdate): Promise<void> {
    const fields = (Object.keys(after) as (keyof Integration)[]).filter(
      (field) => JSON.stringify(after[field]) !== JSON.stringify(before[field]),
    );
    const claim = (claimKey: ItemKey) => integrationClaims.item(claimKey, after.id, after.updatedAt);
    /** Claims the new key and releases the old one, in the same transaction. */
    const moveClaim = (transaction: Transaction, what: string, from: ItemKey, to: ItemKey) =>
      transaction
        .put(`${what} claim`, claim(to), absent)
        .delete(`${what} release`, from, integrationClaims.claimedBy(after.id));
    await writePublishing(this.db, this.tableName, {
      tenantId,
      integrationId: after.id,
      events: (first) => [event(first)],
      audit,
      integration: {
        condition: and(versionIs(before.version), integrationItem.notDeleting),
        update: { set: Object.fromEntries(fields.map((field) => [field, after[field]])) },
      },
      rest: (transaction) => {
        if (after.handle !== before.handle) {
          moveClaim(
            transaction,
            'handle',
            integrationClaims.handleKey(tenantId, before.handle),
            integrationClaims.handleKey(tenantId, after.handle),
          );
        }
        if (roleIdentities && roleIdentities.after !== roleIdentities.before) {
          moveClaim(
            transaction,
            'role',
            integrationClaims.roleKey(tenantId, roleIdentities.before),
            integrationClaims.roleKey(tenantId, roleIdentities.after),
          );
        }
      },
      refused: (cancelled, current) => {
        if (current === undefined) return new NotFoundError('The integration');
        if (current !== null) {
          return current.sync.deletingSince !== undefined
            ? new IntegrationDeletingError()
            : new VersionConflictError(current.integration.version);
        }
        if (cancelled.failed('handle claim')) return new HandleTakenError(after.handle);
        if (cancelled.failed('role claim')) return new RoleAlreadyConnectedError(after.roleArn);
        return cancelled;
      },
      now: Date.parse(after.updatedAt),
    });
  }

  async get(tenantId: string, integrationId: string): Promise<Integration | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: integrationItem.key(tenantId, integrationId),
      }),
    );
    return Item ? integrationSchema.parse(Item) : undefined;
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<Integration>> {
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

  async count(tenantId: string): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: {
            ':pk': ITEM_KEYS.tenant(tenantId),
            ':prefix': ITEM_KEYS.integrationPrefix,
          },
          Select: 'COUNT',
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return count;
  }
}
