import autocannon from 'autocannon';
import { DynamoDbHealth } from '../lambdas/adapters/aws/dynamodb-health';
import { DynamoDbIntegrations } from '../lambdas/adapters/aws/dynamodb-integrations';
import { syncStores } from '../lambdas/composition/sync';
import { createDocumentClient } from '../lambdas/core/dynamodb';
import { localDynamoDbClient } from '../local/dynamodb-local';
import type { LocalRuntime } from '../local/runtime';
import { createSyncWorld, TENANT } from '../test/fixtures/sync-world';
import { LatencyRecorder } from './latency';
import type { ApiResult } from './results';

const CONNECTIONS = 32;
/** The tree's default page (schemas/api/common.ts). */
const PAGE = { limit: 25 };

/**
 * Mirrors a generated organization into the local runtime's table (the real
 * sync service, with waits skipped), then loads `GET …/status` and `GET …/tree` with
 * autocannon, and the same store reads without the API around them, at the same concurrency.
 */
export async function benchApi(
  runtime: LocalRuntime,
  log: (message: string) => void,
  { accounts, ous, seconds }: { accounts: number; ous: number; seconds: number },
): Promise<ApiResult[]> {
  log(`api: mirroring ${accounts.toLocaleString('en-US')} accounts into the local runtime`);
  const client = localDynamoDbClient(runtime.dynamoDbEndpoint);
  const tableName = runtime.config.tableName;
  const world = await createSyncWorld({
    client,
    tableName,
    shape: { accounts, ous, depth: 5 },
  });
  await world.run();
  // The stream readers publish the mirror's 11,000 events first; the load starts on a quiet runtime.
  await runtime.settled();
  const id = world.integration.id;
  const db = createDocumentClient(client);
  const integrations = new DynamoDbIntegrations(db, tableName);
  const sync = syncStores(db, tableName);
  const health = new DynamoDbHealth(db, tableName);
  const token = await runtime.issuer.sign({ tenantId: TENANT, roles: ['tenant_owner'] });

  const routes = [
    {
      route: 'GET /v1/integrations/{id}/status',
      path: `/v1/integrations/${id}/status`,
      async store() {
        await integrations.get(TENANT, id);
        const target = await sync.state.target(TENANT, id);
        if (target?.lastRunId)
          await sync.state.run({ tenantId: TENANT, integrationId: id, runId: target.lastRunId });
      },
    },
    {
      route: 'GET /v1/integrations/{id}/tree',
      path: `/v1/integrations/${id}/tree`,
      async store() {
        await integrations.get(TENANT, id);
        const page = await sync.mirror.page(TENANT, id, PAGE);
        const connections = page.items.filter((node) => node.type === 'connection').map((node) => node.id);
        await health.health(TENANT, id, connections);
      },
    },
  ];
  const results: ApiResult[] = [];
  for (const { route, path, store } of routes) {
    log(`api: ${route}, ${CONNECTIONS} connections, ${seconds} s`);
    const loaded = await autocannon({
      url: `${runtime.url}${path}`,
      connections: CONNECTIONS,
      duration: seconds,
      headers: { authorization: `Bearer ${token}` },
    });
    log(`api: the same store reads, ${CONNECTIONS} at once, ${seconds} s`);
    const bare = await loadInProcess(store, seconds);
    results.push({
      route,
      accounts,
      requests: loaded.requests.total,
      failures: loaded.non2xx + loaded.errors + loaded.timeouts,
      p50Ms: loaded.latency.p50,
      p99Ms: loaded.latency.p99,
      storeP50Ms: bare.p50Ms,
      storeP99Ms: bare.p99Ms,
    });
  }
  client.destroy();
  return results;
}

/** Runs `call` in CONNECTIONS loops at once for `seconds`, and returns its latency percentiles. */
async function loadInProcess(call: () => Promise<void>, seconds: number) {
  const latency = new LatencyRecorder();
  const endAt = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < endAt) {
        const startedAt = performance.now();
        await call();
        latency.record(performance.now() - startedAt);
      }
    }),
  );
  return latency.percentiles();
}
