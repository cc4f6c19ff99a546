import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ITEM_KEYS, TABLE_KEYS } from '../../../schemas/table';
import type { IdempotencyStore, RememberedAnswer } from '../../integrations/ports';
import { absent } from './table/expressions';

/** How long a key is remembered: a client's retries come within minutes, a day is plenty. */
const REMEMBERED_SECONDS = 24 * 3600;

const rememberedSchema = z.object({
  requestHash: z.string(),
  subject: z.string().optional(),
  body: z.unknown(),
});

/** Remembered answers as items `TENANT#<id>` / `IDEMPOTENCY#<key>`, which TTL removes after a day. */
export class DynamoDbIdempotency implements IdempotencyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: () => number = Date.now,
  ) {}

  async find(tenantId: string, key: string): Promise<RememberedAnswer | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(tenantId, key), ConsistentRead: true }),
    );
    // TTL removes expired items within days, not at once: an expired one is forgotten here.
    if (!Item || Number(Item[TABLE_KEYS.timeToLive]) * 1000 <= this.clock()) return undefined;
    return rememberedSchema.parse(Item) as RememberedAnswer;
  }

  async remember(tenantId: string, key: string, answer: RememberedAnswer): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...this.key(tenantId, key),
            ...answer,
            [TABLE_KEYS.timeToLive]: Math.floor(this.clock() / 1000) + REMEMBERED_SECONDS,
          },
          ConditionExpression: absent.expression,
        }),
      );
    } catch (error: unknown) {
      // A concurrent request with the same key answered first: its answer stands.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private key(tenantId: string, key: string) {
    return { pk: ITEM_KEYS.tenant(tenantId), sk: ITEM_KEYS.idempotency(key) };
  }
}
