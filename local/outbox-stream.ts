import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { localDynamoDbClient } from './dynamodb-local';

export type StreamConsumer = (event: { Records: _Record[] }) => Promise<void>;

export interface OutboxStream {
  /** Resolves once every record written so far has been handed to the consumer. */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

const POLL_MS = 100;

/**
 * Reads DynamoDB Local's stream of the table and hands each batch to the consumer, as Lambda's
 * event source mapping does in AWS: in order per shard, and again after a failure, so a batch is
 * never skipped. Shards that exist at start are read from their end (their records belong to an
 * earlier run of the runtime); shards that appear later, from their start.
 */
export async function startOutboxStream(
  endpoint: string,
  tableName: string,
  consume: StreamConsumer,
): Promise<OutboxStream> {
  const dynamo = localDynamoDbClient(endpoint);
  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  dynamo.destroy();
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${tableName} has no stream`);
  const streams = new DynamoDBStreamsClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  /** Shard id → next iterator; null once a closed shard is read to its end. */
  const iterators = new Map<string, string | null>();
  let first = true;
  let stopped = false;
  let polls = 0;
  let emptyStreak = 0;

  const discover = async () => {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || iterators.has(shard.ShardId)) continue;
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.ShardId,
          ShardIteratorType: first ? 'LATEST' : 'TRIM_HORIZON',
        }),
      );
      iterators.set(shard.ShardId, ShardIterator ?? null);
    }
    first = false;
  };

  const pollOnce = async (): Promise<boolean> => {
    await discover();
    let delivered = false;
    for (const [shardId, iterator] of iterators) {
      if (!iterator) continue;
      const { Records = [], NextShardIterator } = await streams.send(
        new GetRecordsCommand({ ShardIterator: iterator }),
      );
      if (Records.length > 0) {
        await consume({ Records: Records.map(repairEmptyMaps) });
        delivered = true;
      }
      iterators.set(shardId, NextShardIterator ?? null);
    }
    return delivered;
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        emptyStreak = (await pollOnce()) ? 0 : emptyStreak + 1;
      } catch (error: unknown) {
        // The iterator stays where it was: the same records are offered again.
        console.error('local outbox stream: delivery failed, retrying', error);
        emptyStreak = 0;
      }
      polls += 1;
      await sleep(POLL_MS);
    }
  })();

  return {
    async drained() {
      // Two polls begun after this call, the last two empty: all earlier records were read.
      const start = polls;
      while (polls < start + 2 || emptyStreak < 2) await sleep(POLL_MS);
    },
    async stop() {
      stopped = true;
      await loop;
      streams.destroy();
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The SDK's streams client reads an empty map attribute (`{"M": {}}`) as `{}`, which no
 * unmarshaller accepts; Lambda's events carry it intact. Put the `M` back.
 */
function repairEmptyMaps(record: _Record): _Record {
  const repair = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(repair);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    if (entries.length === 0) return { M: {} };
    return Object.fromEntries(entries.map(([key, inner]) => [key, repair(inner)]));
  };
  type Image = NonNullable<_Record['dynamodb']>['NewImage'];
  const repaired = (image: Image): Image =>
    image &&
    (Object.fromEntries(
      Object.entries(image).map(([name, attribute]) => [name, repair(attribute)]),
    ) as Image);
  const images = record.dynamodb;
  if (!images) return record;
  return {
    ...record,
    dynamodb: { ...images, NewImage: repaired(images.NewImage), OldImage: repaired(images.OldImage) },
  };
}
