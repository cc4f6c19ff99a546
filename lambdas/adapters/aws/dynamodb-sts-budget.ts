import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ITEM_KEYS } from '../../../schemas/table';
import type { RateLimit } from '../../core/token-bucket';
import type { StsBudgetPort } from '../../credentials/ports';

/** Rounds of the two conditional writes before a contended budget answers "wait a second". */
const MAX_ROUNDS = 3;

/**
 * Each tenant's STS budget, shared by every instance of the broker: a token bucket kept as one
 * number per tenant (the generic cell rate algorithm). `stsBudgetAt` is the moment the bucket
 * would be full again, and a call is granted while that lies no more than `burst` intervals ahead.
 * A grant is one conditional UpdateItem while calls keep coming, and a read and a second write
 * after an idle spell; a refusal reads the bucket to say how long to wait.
 */
export class DynamoDbStsBudget implements StsBudgetPort {
  private readonly intervalMs: number;
  private readonly burstMs: number;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    limit: RateLimit,
    private readonly clock: () => number = Date.now,
  ) {
    this.intervalMs = 1000 / limit.rate;
    this.burstMs = limit.burst * this.intervalMs;
  }

  async take(tenantId: string): Promise<{ readonly retryAfterSeconds: number } | null> {
    const key = { pk: ITEM_KEYS.tenant(tenantId), sk: ITEM_KEYS.stsBudget };
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const now = this.clock();
      // The latest moment the bucket may be full again and still have a token for this call.
      const latest = now + this.burstMs - this.intervalMs;
      try {
        // Busy: the bucket is not full, so this call pushes the moment it will be one interval on.
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET stsBudgetAt = stsBudgetAt + :interval',
            ConditionExpression: 'stsBudgetAt BETWEEN :now AND :latest',
            ExpressionAttributeValues: { ':interval': this.intervalMs, ':now': now, ':latest': latest },
          }),
        );
        return null;
      } catch (error: unknown) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      // Refused or idle: only the stored moment tells which (a read, on this rarer path only).
      const fullAt = await this.fullAt(key);
      if (fullAt !== null && fullAt > latest) {
        return { retryAfterSeconds: Math.max(1, Math.ceil((fullAt - latest) / 1000)) };
      }
      try {
        // Idle (or never used): the bucket is full, so it starts again from now.
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET stsBudgetAt = :next',
            ConditionExpression: 'attribute_not_exists(stsBudgetAt) OR stsBudgetAt < :now',
            ExpressionAttributeValues: { ':next': now + this.intervalMs, ':now': now },
          }),
        );
        return null;
      } catch (error: unknown) {
        // Another call got there first: read the bucket again.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    return { retryAfterSeconds: 1 };
  }

  private async fullAt(key: Record<string, string>): Promise<number | null> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: key,
        ProjectionExpression: 'stsBudgetAt',
        ConsistentRead: true,
      }),
    );
    return typeof Item?.stsBudgetAt === 'number' ? Item.stsBudgetAt : null;
  }
}
