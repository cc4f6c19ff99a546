import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ChangeEvent } from '../../../../schemas/events';
import type { AuditRecord } from '../../../domain/audit';
import { MirrorConflictError } from '../../../domain/sync-runs';
import { absent, and, type Condition, exists, type UpdateSpec } from './expressions';
import { auditItem, type IntegrationRecord, integrationItem, outboxItem } from './items';
import { Transaction, TransactionCancelledError } from './transaction';

/** A write whose events were numbered again this many times in a row gives up as a conflict. */
const NUMBERING_ATTEMPTS = 10;

export interface PublishingWrite {
  readonly tenantId: string;
  readonly integrationId: string;
  /** The last event number the caller read; the write reads it when absent. */
  readonly lastSequence?: number;
  /** The events, numbered from `first`. */
  readonly events: (first: number) => readonly ChangeEvent[];
  /** What the write does to the integration item beside moving its counter (or that it goes). */
  readonly integration:
    | { readonly condition: Condition; readonly update?: UpdateSpec }
    | { readonly condition: Condition; readonly remove: true };
  /** The transaction's other items. */
  readonly rest?: (transaction: Transaction) => void;
  /** The audit entry of a change made over the API, written with it. */
  readonly audit?: AuditRecord;
  /**
   * Names a refused write. `current` is the integration item read after it when its own
   * condition failed (undefined when it is gone), and null when only other items were refused.
   */
  readonly refused: (
    cancelled: TransactionCancelledError,
    current: IntegrationRecord | undefined | null,
  ) => Error;
  readonly now: number;
}

/**
 * Every write that publishes events goes through here: the events are numbered inside the
 * transaction that makes the change, with outbox items the table's stream publishes. The
 * integration item's counter must still hold the last number read, and the same write moves it
 * on, so no other writer can slip between numbering and writing. When another writer moved it
 * first, the events are numbered again from where it left it. Returns the last number given.
 */
export async function writePublishing(
  db: DynamoDBDocumentClient,
  tableName: string,
  write: PublishingWrite,
): Promise<number> {
  const key = integrationItem.key(write.tenantId, write.integrationId);
  let last = write.lastSequence ?? (await readIntegration(db, tableName, write))?.sync.eventSequence ?? 0;
  for (let attempt = 1; attempt <= NUMBERING_ATTEMPTS; attempt += 1) {
    const events = write.events(last + 1);
    const transaction = new Transaction(tableName);
    const condition = and(exists, write.integration.condition, integrationItem.sequenceIs(last));
    if ('remove' in write.integration) transaction.delete('integration', key, condition);
    else {
      const { update = {} } = write.integration;
      const set = { ...update.set, eventSequence: last + events.length };
      transaction.update('integration', key, { ...update, set }, condition);
    }
    write.rest?.(transaction);
    if (write.audit) transaction.put('audit', auditItem.item(write.tenantId, write.audit), absent);
    for (const event of events) {
      transaction.put(
        `event ${event.detail.sequence}`,
        outboxItem.item(write.tenantId, write.integrationId, event, write.now),
        absent,
      );
    }
    try {
      await transaction.send(db);
      return last + events.length;
    } catch (error: unknown) {
      if (!(error instanceof TransactionCancelledError)) throw error;
      if (!error.failed('integration')) throw write.refused(error, null);
      const current = await readIntegration(db, tableName, write);
      const moved = current?.sync.eventSequence;
      if (moved === undefined || moved === last) throw write.refused(error, current);
      last = moved;
    }
  }
  // Writers keep moving the counter: a conflict the caller (or the workflow) retries afresh.
  throw new MirrorConflictError();
}

export async function readIntegration(
  db: DynamoDBDocumentClient,
  tableName: string,
  { tenantId, integrationId }: { readonly tenantId: string; readonly integrationId: string },
): Promise<IntegrationRecord | undefined> {
  const { Item } = await db.send(
    new GetCommand({
      TableName: tableName,
      Key: integrationItem.key(tenantId, integrationId),
      ConsistentRead: true,
    }),
  );
  return Item ? integrationItem.parse(Item) : undefined;
}
