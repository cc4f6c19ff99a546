import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ITEM_KEYS } from '../../../schemas/table';
import type { RateLimit } from '../../core/token-bucket';

/** Rounds of the two conditional writes before a contended budget answers "wait a second". */
const MAX_ROUNDS = 3;

/** Where a budget lives: a tenant's item, and the one attribute it writes. */
export interface BudgetCell {
  readonly key: (tenantId: string) => { readonly pk: string; readonly sk: string };
  readonly attribute: string;
}

/**
 * The broker's STS budget, in a partition of its own: its attribute is the only one the broker's
 * role may write, and that item the only one.
 */
export const STS_BUDGET: BudgetCell = {
  key: (tenantId) => ({ pk: ITEM_KEYS.stsBudgetPartition(tenantId), sk: ITEM_KEYS.stsBudget }),
  attribute: 'stsBudgetAt',
};

/** A budget of one kind of expensive API request (role tests, syncs), under the tenant. */
export function requestBudget(request: string): BudgetCell {
  return {
    key: (tenantId) => ({ pk: ITEM_KEYS.tenant(tenantId), sk: ITEM_KEYS.requestBudget(request) }),
    attribute: 'budgetAt',
  };
}

/**
 * A per-tenant budget shared by every instance of a function: a token bucket kept as one number
 * per tenant (the generic cell rate algorithm). The attribute holds the moment the bucket would
 * be full again, and a call is granted while that lies no more than `burst` intervals ahead. A
 * grant is one conditional UpdateItem while calls keep coming, and a read and a second write
 * after an idle spell; a refusal reads the bucket to say how long to wait.
 */
export class DynamoDbRateBudget {
  private readonly intervalMs: number;
  private readonly burstMs: number;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly cell: BudgetCell,
    limit: RateLimit,
    private readonly clock: () => number = Date.now,
  ) {
    this.intervalMs = 1000 / limit.rate;
    this.burstMs = limit.burst * this.intervalMs;
  }

  /** Takes one call from the tenant's budget: null when granted, else how long to wait. */
  async take(tenantId: string): Promise<{ readonly retryAfterSeconds: number } | null> {
    const key = this.cell.key(tenantId);
    const names = { '#at': this.cell.attribute };
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
            UpdateExpression: 'SET #at = #at + :interval',
            ConditionExpression: '#at BETWEEN :now AND :latest',
            ExpressionAttributeNames: names,
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
            UpdateExpression: 'SET #at = :next',
            ConditionExpression: 'attribute_not_exists(#at) OR #at < :now',
            ExpressionAttributeNames: names,
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

  private async fullAt(key: { readonly pk: string; readonly sk: string }): Promise<number | null> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: key,
        ProjectionExpression: '#at',
        ExpressionAttributeNames: { '#at': this.cell.attribute },
        ConsistentRead: true,
      }),
    );
    const fullAt = Item?.[this.cell.attribute];
    return typeof fullAt === 'number' ? fullAt : null;
  }
}
