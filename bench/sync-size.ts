/**
 * One organization size of the sync benchmark, in a process of its own so its memory is its
 * own: a generated organization served by the sandbox with the Organizations APIs' published limits as token buckets and a
 * round-trip latency, the real sync service on DynamoDB Local, and the real outbox publisher
 * reading the table's stream. It runs a full sync, then a sync with nothing to change, and
 * writes its figures as JSON to the file named by its argument.
 *
 * Usage: tsx bench/sync-size.ts '<SizeInput as JSON>'
 */
import { writeFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { type Clock, systemClock } from '../lambdas/core/clock';
import type { OrganizationsApi } from '../lambdas/domain/organizations-limits';
import { OUTBOX_BATCHING } from '../lambdas/publisher/service';
import { DEFAULT_SYNC_SETTINGS } from '../lambdas/sync/service';
import { localDynamoDbClient } from '../local/dynamodb-local';
import { type StreamConsumer, startOutboxStream } from '../local/outbox-stream';
import { ITEM_KEYS } from '../schemas/table';
import type { OrgShape } from '../test/fixtures/generated-org';
import { mirrorShape, organizationShape } from '../test/fixtures/mirror';
import { createSyncWorld, minimumCallsByApi, TENANT } from '../test/fixtures/sync-world';
import { rateLimitBoundSeconds } from './bound';
import { CountingBus } from './counting-bus';
import { DynamoDbCounter, type DynamoDbCounts } from './dynamodb-counter';
import { warmUpDynamoDbLocal } from './dynamodb-warm-up';
import type { SizeResult } from './results';
import { scaledClock } from './scaled-clock';

export interface SizeInput {
  readonly endpoint: string;
  readonly shape: Required<OrgShape>;
  readonly timeFactor: number;
  readonly latencyMs: number;
  readonly output: string;
}

export interface PhaseFigures {
  readonly orgCalls: number;
  /** Scaled seconds from the request to the run's end. */
  readonly wallSeconds: number;
  readonly steps: number;
  readonly dynamodb: DynamoDbCounts;
  readonly putEventsCalls: number;
  readonly putEventsEntries: number;
  /** Folder and connection events: what changed, not how runs went. */
  readonly changeEvents: number;
}

/** A Lambda step may run 15 minutes; the engine checkpoints a minute before. */
const STEP_BUDGET_MS = 15 * 60 * 1000;
/**
 * The outbox's event source mapping: batches of up to `batchSize` records, a partial batch
 * delivered once the batching window has passed since its first record, one batch at a time.
 * Its window runs on the machine's clock, not the scaled one: it gathers the records the store
 * writes, and the store's time is not scaled either. On the scaled clock, a store that writes
 * at its real pace would fill a window `factor` times too short.
 */
class BatchingWindow {
  private buffer: _Record[] = [];
  private delivering: Promise<void> = Promise.resolve();
  private window: Promise<void> | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly deliver: (records: _Record[]) => Promise<void>,
  ) {}

  add(records: readonly _Record[]): void {
    this.buffer.push(...records);
    while (this.buffer.length >= OUTBOX_BATCHING.batchSize) {
      this.send(this.buffer.splice(0, OUTBOX_BATCHING.batchSize));
    }
    if (this.buffer.length > 0 && !this.window) {
      this.window = this.clock.sleep(OUTBOX_BATCHING.windowSeconds * 1000).then(() => {
        this.window = undefined;
        if (this.buffer.length > 0) this.send(this.buffer.splice(0));
      });
    }
  }

  async drained(): Promise<void> {
    await this.window;
    await this.delivering;
  }

  private send(batch: _Record[]): void {
    this.delivering = this.delivering.then(() => this.deliver(batch));
  }
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '') as SizeInput;
  const clock = scaledClock(input.timeFactor);
  const client = localDynamoDbClient(input.endpoint);
  await warmUpDynamoDbLocal(client);
  const dynamodb = new DynamoDbCounter();
  dynamodb.attach(client);
  const tableName = `bench-${input.shape.accounts}-${Date.now()}`;
  const world = await createSyncWorld({
    client,
    tableName,
    shape: input.shape,
    settings: {
      rateFraction: DEFAULT_SYNC_SETTINGS.rateFraction,
      stepMarginMs: DEFAULT_SYNC_SETTINGS.stepMarginMs,
    },
    clock,
    sandbox: { rateLimitClock: clock, latency: { ms: input.latencyMs, clock } },
  });

  process.env.CONNECTIONS_BUS_NAME = 'bench';
  const publisher = await import('../lambdas/functions/publisher');
  const bus = new CountingBus();
  // As the local runtime feeds it: the streams client's records are Lambda's stream records.
  const publish = publisher.createHandler({
    bus,
    source: 'aws-org-connections',
    metrics: { count: () => undefined },
  }) as StreamConsumer;
  const batches = new BatchingWindow(systemClock, (Records) => publish({ Records }));
  const stream = await startOutboxStream(input.endpoint, tableName, async ({ Records }) =>
    batches.add(
      Records.filter((record) => String(record.dynamodb?.Keys?.sk?.S).startsWith(ITEM_KEYS.outboxPrefix)),
    ),
  );

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);

  async function phase(): Promise<PhaseFigures> {
    dynamodb.take();
    bus.take();
    const callsBefore = world.sandbox.calls.length;
    const startedAt = clock.now();
    const { steps } = await world.run({ budgetMs: STEP_BUDGET_MS });
    const wallSeconds = (clock.now() - startedAt) / 1000;
    const orgCalls = world.sandbox.calls.length - callsBefore;
    await stream.drained();
    await batches.drained();
    const published = bus.take();
    return {
      orgCalls,
      wallSeconds,
      steps,
      dynamodb: dynamodb.take(),
      putEventsCalls: published.calls,
      putEventsEntries: published.entries.length,
      changeEvents: published.entries.filter((entry) => /^(Folder|Connection) /.test(entry.detailType))
        .length,
    };
  }

  const full = await phase();
  clearInterval(sampler);
  const mirror = await world.store.load(TENANT, world.integration.id);
  const mirrorMatches = isDeepStrictEqual(mirrorShape(mirror), organizationShape(world.sandbox));
  const noop = await phase();
  await stream.stop();

  const minimum = minimumCallsByApi(world.sandbox);
  const result: SizeResult = {
    accounts: input.shape.accounts,
    ous: input.shape.ous,
    depth: input.shape.depth,
    orgCalls: full.orgCalls,
    orgCallsMin: Object.values(minimum).reduce((sum, calls) => sum + calls, 0),
    orgCallsByApi: countByApi(world.sandbox.calls.slice(0, full.orgCalls).map((call) => call.api)),
    wallSeconds: full.wallSeconds,
    boundSeconds: rateLimitBoundSeconds(minimum as Partial<Record<OrganizationsApi, number>>, {
      rateFraction: DEFAULT_SYNC_SETTINGS.rateFraction,
      latencyMs: input.latencyMs,
      depth: input.shape.depth,
    }),
    steps: full.steps,
    mirrorMatches,
    dynamodbWriteRequests: full.dynamodb.writeRequests,
    dynamodbWriteItems: full.dynamodb.writeItems,
    putEventsCalls: full.putEventsCalls,
    putEventsEntriesPerCall: full.putEventsCalls === 0 ? 0 : full.putEventsEntries / full.putEventsCalls,
    changeEvents: full.changeEvents,
    peakRssMiB: peakRss / 2 ** 20,
    noopOrgCalls: noop.orgCalls,
    noopMirrorWrites: noop.dynamodb.mirrorWriteItems,
    noopChangeEvents: noop.changeEvents,
    noopReadRequests: noop.dynamodb.readRequests,
    noopReadItems: noop.dynamodb.readItems,
    noopWallSeconds: noop.wallSeconds,
    noopSteps: noop.steps,
    noopWriteItems: noop.dynamodb.writeItems,
    noopPutEventsEntries: noop.putEventsEntries,
  };
  await writeFile(input.output, JSON.stringify(result));
  client.destroy();
}

function countByApi(apis: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const api of apis) counts[api] = (counts[api] ?? 0) + 1;
  return counts;
}

await main();
