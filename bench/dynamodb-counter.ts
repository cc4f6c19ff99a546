import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ITEM_KEYS } from '../schemas/table';

/** What a phase of a benchmark asked of DynamoDB. */
export interface DynamoDbCounts {
  writeRequests: number;
  /** Items put, updated or deleted (condition checks are not writes). */
  writeItems: number;
  /** Of those, folders and connections. */
  mirrorWriteItems: number;
  /** Of those, outbox events. */
  eventItems: number;
  readRequests: number;
  readItems: number;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

type Attributes = Record<string, { S?: string } | undefined>;

/**
 * Counts every request the client sends, once per command (retries are not new requests), with
 * the items each writes or reads. It sits at the serialize step, where the document client has
 * already turned its input into DynamoDB's attribute values.
 */
export class DynamoDbCounter {
  counts: DynamoDbCounts = DynamoDbCounter.zero();

  static zero(): DynamoDbCounts {
    return {
      writeRequests: 0,
      writeItems: 0,
      mirrorWriteItems: 0,
      eventItems: 0,
      readRequests: 0,
      readItems: 0,
    };
  }

  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? '').replace(/Command$/, '');
        const result = await next(args);
        if (WRITES.has(operation)) this.countWrite(args.input as Record<string, unknown>);
        if (READS.has(operation)) this.countRead(result.output as unknown as Record<string, unknown>);
        return result;
      },
      { step: 'serialize', priority: 'high', name: 'benchDynamoDbCounter' },
    );
  }

  /** Returns what was counted since the last call, and starts again from zero. */
  take(): DynamoDbCounts {
    const counts = this.counts;
    this.counts = DynamoDbCounter.zero();
    return counts;
  }

  private countWrite(input: Record<string, unknown>): void {
    const keys: (Attributes | undefined)[] = [];
    if (Array.isArray(input.TransactItems)) {
      for (const item of input.TransactItems as Record<string, { Item?: Attributes; Key?: Attributes }>[]) {
        const write = item.Put ?? item.Update ?? item.Delete;
        if (write) keys.push(write.Item ?? write.Key);
      }
    } else if (input.RequestItems) {
      for (const requests of Object.values(
        input.RequestItems as Record<string, Record<string, { Item?: Attributes; Key?: Attributes }>[]>,
      )) {
        for (const request of requests) keys.push(request.PutRequest?.Item ?? request.DeleteRequest?.Key);
      }
    } else {
      keys.push((input.Item ?? input.Key) as Attributes | undefined);
    }
    this.counts.writeRequests += 1;
    this.counts.writeItems += keys.length;
    for (const key of keys) {
      const sk = key?.sk?.S ?? '';
      if (sk.startsWith('MIRROR#')) this.counts.mirrorWriteItems += 1;
      if (sk.startsWith(ITEM_KEYS.outboxPrefix)) this.counts.eventItems += 1;
    }
  }

  private countRead(output: Record<string, unknown>): void {
    this.counts.readRequests += 1;
    if (Array.isArray(output.Items)) this.counts.readItems += output.Items.length;
    else if (output.Item) this.counts.readItems += 1;
    else if (Array.isArray(output.Responses)) this.counts.readItems += output.Responses.length;
    else if (output.Responses) {
      for (const items of Object.values(output.Responses as Record<string, unknown[]>))
        this.counts.readItems += items.length;
    }
  }
}
