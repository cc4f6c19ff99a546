import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { Scope } from '../../../schemas/api/common';
import { ITEM_KEYS } from '../../../schemas/table';
import type { ExternalIdRecord, ExternalIdStore } from '../../ports/external-ids';
import { absent } from './table/expressions';

const recordSchema = z.object({ externalId: z.string(), version: z.number(), updatedAt: z.string() });

/** Each scope's External ID as one item: `TENANT#<id>` / `EXTERNAL_ID` (or `EXTERNAL_ID#ORG#<org>`). */
export class DynamoDbExternalIds implements ExternalIdStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async getOrCreate(tenantId: string, scope: Scope, candidate: string): Promise<ExternalIdRecord> {
    const existing = await this.read(tenantId, scope);
    if (existing) return existing;
    const record: ExternalIdRecord = {
      externalId: candidate,
      version: 1,
      updatedAt: this.now().toISOString(),
    };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...this.key(tenantId, scope), ...record, createdAt: record.updatedAt },
          ConditionExpression: absent.expression,
        }),
      );
      return record;
    } catch (error: unknown) {
      // Two first calls raced: the other one's External ID is the tenant's.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const winner = await this.read(tenantId, scope);
      if (!winner) throw error;
      return winner;
    }
  }

  async rotate(tenantId: string, scope: Scope, next: string): Promise<ExternalIdRecord> {
    const timestamp = this.now().toISOString();
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(tenantId, scope),
        UpdateExpression:
          'SET externalId = :next, version = if_not_exists(version, :zero) + :one, updatedAt = :now, createdAt = if_not_exists(createdAt, :now)',
        ExpressionAttributeValues: { ':next': next, ':zero': 0, ':one': 1, ':now': timestamp },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return recordSchema.parse(Attributes);
  }

  private async read(tenantId: string, scope: Scope): Promise<ExternalIdRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(tenantId, scope), ConsistentRead: true }),
    );
    return Item ? recordSchema.parse(Item) : undefined;
  }

  private key(tenantId: string, scope: Scope) {
    return {
      pk: ITEM_KEYS.tenant(tenantId),
      sk: ITEM_KEYS.externalId(scope.level === 'org' ? scope.orgId : null),
    };
  }
}
