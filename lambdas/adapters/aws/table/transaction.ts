import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { errorName } from '../../../core/errors';
import { type Condition, merge, renderUpdate, type UpdateSpec } from './expressions';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
export type ItemKey = { readonly pk: string; readonly sk: string };

/**
 * One TransactWriteItems request, each item under a label, so a cancelled transaction is read by
 * what was refused ("the handle claim of acme_prod"), never by its position.
 */
export class Transaction {
  private readonly items: TransactItem[] = [];
  private readonly labels: string[] = [];

  constructor(private readonly tableName: string) {}

  put(label: string, item: ItemKey & Record<string, unknown>, condition?: Condition): this {
    return this.add(label, { Put: { TableName: this.tableName, Item: item, ...conditionParts(condition) } });
  }

  update(label: string, key: ItemKey, spec: UpdateSpec, condition?: Condition): this {
    const update = renderUpdate(spec);
    const names = merge([update.names, condition?.names]);
    const values = merge([update.values, condition?.values]);
    return this.add(label, {
      Update: {
        TableName: this.tableName,
        Key: key,
        UpdateExpression: update.expression,
        ...(condition ? { ConditionExpression: condition.expression } : {}),
        ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
        ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
      },
    });
  }

  delete(label: string, key: ItemKey, condition?: Condition): this {
    return this.add(label, { Delete: { TableName: this.tableName, Key: key, ...conditionParts(condition) } });
  }

  /** Sends it; throws TransactionCancelledError naming the refused labels when it is cancelled. */
  async send(db: DynamoDBDocumentClient): Promise<void> {
    if (this.items.length === 0) return;
    try {
      await db.send(new TransactWriteCommand({ TransactItems: this.items }));
    } catch (error: unknown) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      // Reasons come in the order of the items, one each (`None` where nothing failed).
      const reasons = error.CancellationReasons ?? [];
      const refused = new Set(
        this.labels.filter((_, position) => reasons[position]?.Code === 'ConditionalCheckFailed'),
      );
      throw new TransactionCancelledError(refused, { cause: error });
    }
  }

  private add(label: string, item: TransactItem): this {
    if (this.labels.includes(label)) throw new Error(`The transaction already has an item labelled ${label}`);
    this.labels.push(label);
    this.items.push(item);
    return this;
  }
}

/** A transaction DynamoDB cancelled: nothing of it was written. */
export class TransactionCancelledError extends Error {
  constructor(
    /** The labels whose condition failed; empty for a conflict with another transaction. */
    readonly refused: ReadonlySet<string>,
    options?: ErrorOptions,
  ) {
    super(
      `The transaction was cancelled${refused.size ? `: ${[...refused].join(', ')} refused` : ''}`,
      options,
    );
  }

  failed(label: string): boolean {
    return this.refused.has(label);
  }
}

/**
 * One conditional UpdateItem, outside a transaction: the item as it is after the update, or null
 * when the condition did not hold.
 */
export async function updateIf(
  db: DynamoDBDocumentClient,
  tableName: string,
  key: ItemKey,
  spec: UpdateSpec,
  condition: Condition,
): Promise<Record<string, unknown> | null> {
  const update = renderUpdate(spec);
  try {
    const { Attributes } = await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: update.expression,
        ConditionExpression: condition.expression,
        ExpressionAttributeNames: merge([update.names, condition.names]),
        ExpressionAttributeValues: merge([update.values, condition.values]),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes ?? {};
  } catch (error: unknown) {
    if (errorName(error) === 'ConditionalCheckFailedException') return null;
    throw error;
  }
}

function conditionParts(condition: Condition | undefined): {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
} {
  if (!condition) return {};
  const names = condition.names ?? {};
  const values = condition.values ?? {};
  return {
    ConditionExpression: condition.expression,
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
}
