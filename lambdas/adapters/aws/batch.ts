import { setTimeout as sleep } from 'node:timers/promises';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';

/** BatchWriteItem takes at most 25 requests, BatchGetItem 100 keys. */
const WRITE_BATCH = 25;
const GET_BATCH = 100;
const ATTEMPTS = 8;

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];
type Key = Record<string, unknown>;

/** What DynamoDB left unprocessed is sent again after a jittered, growing wait. */
async function untilProcessed<T>(
  what: string,
  first: T[],
  send: (pending: T[]) => Promise<T[]>,
): Promise<void> {
  let pending = first;
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    if (attempt > ATTEMPTS) throw new Error(`${pending.length} ${what} stayed unprocessed`);
    if (attempt > 1) await sleep(Math.random() * Math.min(5000, 50 * 2 ** attempt));
    pending = await send(pending);
  }
}

/** Writes every request, 25 at a time, retrying what DynamoDB leaves unprocessed. */
export async function batchWriteAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
): Promise<void> {
  for (let start = 0; start < requests.length; start += WRITE_BATCH) {
    await untilProcessed('writes', requests.slice(start, start + WRITE_BATCH), async (pending) => {
      const { UnprocessedItems } = await db.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
      );
      return (UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
    });
  }
}

/**
 * Reads every key that exists, 100 at a time, retrying what DynamoDB leaves unprocessed.
 * `consistentRead` sees every write that succeeded before the read, at twice the read cost.
 */
export async function batchGetAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Key[],
  { consistentRead = false }: { readonly consistentRead?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += GET_BATCH) {
    await untilProcessed('reads', keys.slice(start, start + GET_BATCH), async (pending) => {
      const { Responses, UnprocessedKeys } = await db.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: consistentRead } },
        }),
      );
      items.push(...(Responses?.[tableName] ?? []));
      return (UnprocessedKeys?.[tableName]?.Keys ?? []) as Key[];
    });
  }
  return items;
}
