import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbRateBudget, STS_BUDGET } from '../../lambdas/adapters/aws/dynamodb-rate-budget';
import { createDocumentClient } from '../../lambdas/core/dynamodb';
import {
  type DynamoDbLocal,
  ensureTable,
  localDynamoDbClient,
  startDynamoDbLocal,
} from '../../local/dynamodb-local';

/** The per-tenant STS budget on DynamoDB Local: shared by every broker instance through the table. */

const TABLE = 'sts-budget';
let dynamo: DynamoDbLocal;
let client: DynamoDBClient;
let now: number;

function budget(limit = { rate: 2, burst: 3 }) {
  return new DynamoDbRateBudget(createDocumentClient(client), TABLE, STS_BUDGET, limit, () => now);
}

async function takeMany(from: DynamoDbRateBudget, tenantId: string, count: number) {
  const answers = [];
  for (let i = 0; i < count; i += 1) answers.push(await from.take(tenantId));
  return answers;
}

beforeAll(async () => {
  dynamo = await startDynamoDbLocal();
  client = localDynamoDbClient(dynamo.endpoint);
  await ensureTable(client, TABLE);
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
});

beforeEach(() => {
  now = Date.parse('2026-11-30T12:00:00Z');
});

describe("the tenant's STS budget", () => {
  it('grants the burst at once, then refuses with the time until the next token', async () => {
    const answers = await takeMany(budget(), 'burst', 4);

    expect(answers).toEqual([null, null, null, { retryAfterSeconds: 1 }]);
  });

  it('grants again at the rate once time has passed', async () => {
    const tenant = budget();
    await takeMany(tenant, 'refill', 3);

    now += 500; // one token at 2 a second
    const afterHalfASecond = await takeMany(tenant, 'refill', 2);

    expect(afterHalfASecond).toEqual([null, { retryAfterSeconds: 1 }]);
  });

  it('is full again after an idle spell, never more than full', async () => {
    const tenant = budget();
    await takeMany(tenant, 'idle', 3);

    now += 60_000;
    const answers = await takeMany(tenant, 'idle', 4);

    expect(answers).toEqual([null, null, null, { retryAfterSeconds: 1 }]);
  });

  it('is one budget for every instance of the broker, and one per tenant', async () => {
    const first = budget();
    const second = budget();

    const answers = [
      await first.take('shared'),
      await second.take('shared'),
      await first.take('shared'),
      await second.take('shared'),
      await second.take('someone-else'),
    ];

    expect(answers).toEqual([null, null, null, { retryAfterSeconds: 1 }, null]);
  });

  it('grants no more than the burst to concurrent callers', async () => {
    const instances = [budget(), budget(), budget(), budget()];

    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => instances[i % instances.length]?.take('concurrent')),
    );

    expect(answers.filter((answer) => answer === null)).toHaveLength(3);
  });

  it('says how long to wait at a low rate', async () => {
    const slow = budget({ rate: 0.2, burst: 1 });

    const answers = await takeMany(slow, 'slow', 2);

    expect(answers).toEqual([null, { retryAfterSeconds: 5 }]);
  });
});
