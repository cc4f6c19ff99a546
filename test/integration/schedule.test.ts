import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbSchedule } from '../../lambdas/adapters/aws/dynamodb-schedule';
import { createDocumentClient } from '../../lambdas/core/dynamodb';
import { nextDueTime } from '../../lambdas/domain/schedule';
import { DEFAULT_LOCAL_CONFIG } from '../../local/config';
import { localDynamoDbClient } from '../../local/dynamodb-local';
import type { LocalRuntime } from '../../local/runtime';
import type { SyncRun } from '../../schemas/sync';
import { GLOBAL_INDEXES, ITEM_KEYS } from '../../schemas/table';
import { localApi } from '../fixtures/local-api';
import { startTestRuntime } from '../fixtures/test-runtime';

/** Short enough to see two scheduled runs of one integration in a test; the local tick is 1 s. */
const INTERVAL_MS = 8000;

jest.setTimeout(60_000);

let runtime: LocalRuntime;
const api = localApi(() => runtime);
const tenant = { tenantId: 'schedule' };

beforeAll(async () => {
  runtime = await startTestRuntime({
    schedule: true,
    scheduleIntervalMs: INTERVAL_MS,
  });
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

function documents() {
  return createDocumentClient(localDynamoDbClient(runtime.dynamoDbEndpoint));
}

async function scheduledRuns(integrationId: string): Promise<SyncRun[]> {
  const answer = await api.call(tenant, 'GET', `/v1/integrations/${integrationId}/runs?limit=100`);
  return (answer.body as { items: SyncRun[] }).items.filter((run) => run.trigger === 'schedule').reverse();
}

describe('the schedule, through the local runtime', () => {
  it('puts a new integration on the schedule at its phase, and re-syncs it once per interval', async () => {
    const integration = await api.createOrganizationIntegration(tenant, { handle: 'scheduled' });
    const createdAt = Date.parse(integration.createdAt);

    // Only the integration item is on the index, due at its phase within one interval.
    const db = documents();
    const { Items = [] } = await db.send(
      new QueryCommand({
        TableName: DEFAULT_LOCAL_CONFIG.tableName,
        IndexName: GLOBAL_INDEXES.bySchedule.indexName,
        KeyConditionExpression: 'duePk = :pk',
        ExpressionAttributeValues: { ':pk': ITEM_KEYS.scheduleDue },
      }),
    );
    db.destroy();
    const firstDue = nextDueTime(integration.id, createdAt, INTERVAL_MS);
    expect(Items.filter((item) => String(item.pk) === ITEM_KEYS.tenant(tenant.tenantId))).toEqual([
      expect.objectContaining({
        sk: ITEM_KEYS.integration(integration.id),
        dueSk: new Date(firstDue).toISOString(),
      }),
    ]);

    let runs: SyncRun[] = [];
    const deadline = Date.now() + 3 * INTERVAL_MS + 15_000;
    while (runs.length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      runs = await scheduledRuns(integration.id);
    }

    expect(runs.length).toBeGreaterThanOrEqual(3);
    const [first, second, third] = runs.map((run) => Date.parse(run.startedAt));
    // Never before its due time. The first may have waited for the initial sync to end, as a
    // follow-up; later ones start at the first tick after their due time, a second apart.
    expect(first).toBeGreaterThanOrEqual(firstDue);
    expect((third ?? 0) - (second ?? 0)).toBeGreaterThan(INTERVAL_MS - 1500);
    expect((third ?? 0) - (second ?? 0)).toBeLessThan(INTERVAL_MS + 1500);
    await runtime.settled();
    const finished = (await scheduledRuns(integration.id)).slice(0, 3);
    expect(finished.map((run) => [run.status, run.targets, run.counts.created])).toEqual([
      ['succeeded', null, 0],
      ['succeeded', null, 0],
      ['succeeded', null, 0],
    ]);
  });
});

describe('the by-schedule index adapter on DynamoDB Local', () => {
  /** Long before anything real is due, so the runtime's own integrations never show up here. */
  const at = (minute: number) => new Date(Date.UTC(2001, 0, 1, 0, minute)).toISOString();

  async function putIntegration(integrationId: string, dueAt: string) {
    const db = documents();
    await db.send(
      new PutCommand({
        TableName: DEFAULT_LOCAL_CONFIG.tableName,
        Item: {
          pk: ITEM_KEYS.tenant('schedule-adapter'),
          sk: ITEM_KEYS.integration(integrationId),
          duePk: ITEM_KEYS.scheduleDue,
          dueSk: dueAt,
        },
      }),
    );
    db.destroy();
  }

  it('reads what is due earliest first, in pages, and moves a due time only from the value it read', async () => {
    for (const [id, minute] of [
      ['c', 3],
      ['a', 1],
      ['d', 30],
      ['b', 2],
    ] as const) {
      await putIntegration(id, at(minute));
    }
    const db = documents();
    const schedule = new DynamoDbSchedule(db, DEFAULT_LOCAL_CONFIG.tableName);

    const first = await schedule.due(at(10), { limit: 2 });
    const second = await schedule.due(at(10), { limit: 2, cursor: first.nextCursor ?? undefined });
    const ids = [...first.items, ...second.items].map((item) => item.integrationId);

    expect(ids).toEqual(['a', 'b', 'c']);
    expect(first.items[0]).toEqual({ tenantId: 'schedule-adapter', integrationId: 'a', dueAt: at(1) });

    expect(
      await schedule.reschedule({ tenantId: 'schedule-adapter', integrationId: 'a', dueAt: at(1) }, at(61)),
    ).toBe(true);
    // A second tick holding the old value does not start it again.
    expect(
      await schedule.reschedule({ tenantId: 'schedule-adapter', integrationId: 'a', dueAt: at(1) }, at(62)),
    ).toBe(false);
    // A deleted integration is not brought back by a stale index entry.
    expect(
      await schedule.reschedule(
        { tenantId: 'schedule-adapter', integrationId: 'gone', dueAt: at(1) },
        at(61),
      ),
    ).toBe(false);
    const after = await schedule.due(at(10), { limit: 10 });
    expect(after.items.map((item) => item.integrationId)).toEqual(['b', 'c']);
    db.destroy();
  });
});
