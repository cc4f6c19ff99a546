import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { createLocalJWKSet } from 'jose';
import { DynamoDbConnectionDirectory } from '../lambdas/adapters/aws/dynamodb-connection-directory';
import { DynamoDbRateBudget, STS_BUDGET } from '../lambdas/adapters/aws/dynamodb-rate-budget';
import { SandboxCustomerRoles } from '../lambdas/adapters/sandbox/sandbox-customer-roles';
import { createDocumentClient } from '../lambdas/core/dynamodb';
import { makeAssertionVerifier } from '../lambdas/credentials/assertion';
import type { SessionIssuerPort, SessionRequest } from '../lambdas/credentials/ports';
import { makeCredentialsBroker } from '../lambdas/credentials/service';
import { ensureTable, localDynamoDbClient } from '../local/dynamodb-local';
import { LOCAL_BROKER_AUDIENCE, LOCAL_ISSUER } from '../local/jwt-issuer';
import type { LocalRuntime } from '../local/runtime';
import {
  type CredentialAnswer,
  type CredentialRequestInput,
  DEFAULT_STS_BUDGET,
} from '../schemas/credentials';
import { localApi } from '../test/fixtures/local-api';
import type { CredentialsResult, Lag } from './results';

const TENANT = { tenantId: 'bench-credentials' };
const MEMBER_ROLE = 'OrgConnectionsReadOnly';
const CONNECTIONS = 20;
/** The local runtime's two configured consumers. */
const CONSUMERS = ['query-worker', 'remediation-worker'];
/** The consumer the latency and lag figures ask as. */
const CONSUMER = 'query-worker';
const SPREAD_REQUESTS = 1000;
/** Uncached issues are paced below the tenant's STS budget, which would refuse a faster run. */
const UNCACHED_REQUESTS = 150;
const CACHED_REQUESTS = 1000;
const POLL_MS = 2;
const LAG_TIMEOUT_MS = 30_000;

/**
 * The credentials broker on the local runtime: latency of cached and uncached issues over the
 * Invoke API, AssumeRole calls per 1,000 requests (in one minute, and over two simulated hours),
 * and how long an un-share and a share take to count.
 */
export async function benchCredentials(
  runtime: LocalRuntime,
  log: (message: string) => void,
): Promise<CredentialsResult> {
  const api = localApi(() => runtime);
  const sandbox = runtime.sandbox;
  if (!sandbox) throw new Error('the credentials benchmark needs the sandbox');
  const externalId = await api.externalIdOf(TENANT.tenantId);
  const accounts = sandbox
    .snapshot()
    .accounts.filter((account) => account.state === 'ACTIVE' && account.id !== sandbox.managementAccountId)
    .slice(0, CONNECTIONS)
    .map((account) => account.id);
  if (accounts.length < CONNECTIONS) throw new Error('the sandbox organization is too small');
  for (const account of accounts) await api.deployRole(account, MEMBER_ROLE, externalId);
  const integration = await api.createOrganizationIntegration(TENANT, {
    handle: 'bench_credentials',
    permissions: { share: 'selected', workspaceIds: ['ws-bench'] },
  });
  await runtime.settled();
  const lambda = new LambdaClient({
    region: runtime.config.region,
    endpoint: runtime.url,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  // One assertion for the whole run, as a platform service would reuse one until it expires.
  const assertion = await runtime.issuer.signAssertion({
    tenantId: TENANT.tenantId,
    workspaceId: 'ws-bench',
    ttlSeconds: 3600,
  });
  const request = (accountId: string, consumer: string): CredentialRequestInput => ({
    tenantId: TENANT.tenantId,
    workspaceId: 'ws-bench',
    connection: { integrationId: integration.id, accountId },
    consumer,
    assertion,
  });
  const invoke = async (payload: CredentialRequestInput): Promise<CredentialAnswer> => {
    const { Payload } = await lambda.send(
      new InvokeCommand({ FunctionName: 'credentials', Payload: JSON.stringify(payload) }),
    );
    return JSON.parse(new TextDecoder().decode(Payload)) as CredentialAnswer;
  };
  const [first = '', second = ''] = accounts;
  try {
    log('credentials: uncached and cached issues over the Invoke API');
    const pace = 1000 / (DEFAULT_STS_BUDGET.rate * 0.75);
    // Only configured consumers are served, so each uncached request asks for another duration:
    // the duration is part of the cache key, as the consumer is.
    const uncached = await timed(UNCACHED_REQUESTS, pace, (i) =>
      invoke({ ...request(first, CONSUMER), durationSeconds: 901 + i }),
    );
    await invoke(request(first, CONSUMER));
    const cached = await timed(CACHED_REQUESTS, 0, () => invoke(request(first, CONSUMER)));

    log('credentials: AssumeRole calls per 1,000 requests');
    // Each run's virtual clock starts hours ahead, where the tenant's STS budget is full again.
    // That budget lives in a table of its own, so the real-time requests below find theirs intact.
    const burst = await spread(runtime, request, accounts, { minutes: 1, startsInHours: 1 });
    const hours = await spread(runtime, request, accounts, { minutes: 120, startsInHours: 3 });

    log('credentials: how long sharing and un-sharing take');
    const base = `/v1/integrations/${integration.id}`;
    const patch = async (path: string, body: unknown) => {
      const current = await api.call(TENANT, 'GET', path);
      const answer = await api.call(TENANT, 'PATCH', path, body, {
        'if-match': current.headers.get('etag') ?? '',
      });
      if (answer.status !== 200) throw new Error(`PATCH ${path} answered ${answer.status}`);
    };
    const lagUntil = async (
      accept: (answer: CredentialAnswer) => boolean,
      payload: CredentialRequestInput,
    ): Promise<Lag> => {
      const startedAt = performance.now();
      for (let requests = 1; performance.now() - startedAt < LAG_TIMEOUT_MS; requests += 1) {
        if (accept(await invoke(payload))) return { ms: performance.now() - startedAt, requests };
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      return { ms: Number.NaN, requests: Number.NaN };
    };
    const refused = (answer: CredentialAnswer) => 'error' in answer && answer.error.code === 'NOT_SHARED';
    await patch(`${base}/connections/${first}`, { permissions: { share: 'none' } });
    const connectionLag = await lagUntil(refused, request(first, CONSUMER));
    await patch(`${base}/connections/${first}`, {
      permissions: { share: 'selected', workspaceIds: ['ws-new'] },
    });
    // The platform signs each workspace's assertion: one for ws-bench would be refused here.
    const newWorkspace = await runtime.issuer.signAssertion({
      tenantId: TENANT.tenantId,
      workspaceId: 'ws-new',
      ttlSeconds: 3600,
    });
    const share = await lagUntil((answer) => !('error' in answer), {
      ...request(first, CONSUMER),
      workspaceId: 'ws-new',
      assertion: newWorkspace,
    });
    const parentId = sandbox.snapshot().accounts.find((account) => account.id === second)?.parentId ?? '';
    if (!parentId.startsWith('ou-')) throw new Error('the benchmark needs an account inside an OU');
    granted(await invoke(request(second, CONSUMER)));
    await patch(`${base}/folders/${parentId}`, { permissions: { share: 'none' } });
    const folderLag = await lagUntil(refused, request(second, CONSUMER));
    await runtime.settled();
    return {
      uncached,
      cached,
      burst,
      hours,
      unshare: { connection: connectionLag, folder: folderLag },
      share,
    };
  } finally {
    lambda.destroy();
  }
}

/** `count` calls one after another, `paceMs` apart at least, and their latency percentiles. */
async function timed(count: number, paceMs: number, call: (i: number) => Promise<CredentialAnswer>) {
  const latencies: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const startedAt = performance.now();
    granted(await call(i));
    const took = performance.now() - startedAt;
    latencies.push(took);
    if (took < paceMs) await new Promise((resolve) => setTimeout(resolve, paceMs - took));
  }
  latencies.sort((a, b) => a - b);
  const at = (share: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * share))] ?? 0;
  return { requests: count, p50Ms: at(0.5), p99Ms: at(0.99) };
}

/**
 * 1,000 requests, each for a random one of 20 connections and 2 consumers, spread evenly over
 * `minutes` of a virtual clock, through the broker service with its real table adapters and the
 * sandbox's STS. Sessions last an hour. Counts the AssumeRole calls and their spacing per key.
 */
async function spread(
  runtime: LocalRuntime,
  request: (accountId: string, consumer: string) => CredentialRequestInput,
  accounts: readonly string[],
  { minutes, startsInHours }: { readonly minutes: number; readonly startsInHours: number },
) {
  const sandbox = runtime.sandbox;
  if (!sandbox) throw new Error('the credentials benchmark needs the sandbox');
  let now = Date.now() + startsInHours * 3_600_000;
  const calls = new Map<string, number[]>();
  const roles = new SandboxCustomerRoles(sandbox, runtime.config.trustedAccountId);
  // The sandbox's sessions end on the machine's clock; here they end on the virtual one.
  const issuer: SessionIssuerPort = {
    async issueSession(sent: SessionRequest) {
      const key = `${sent.role.arn}|${sent.sourceIdentity}`;
      calls.set(key, [...(calls.get(key) ?? []), now]);
      const issued = await roles.issueSession(sent);
      return { ...issued, expiration: new Date(now + sent.durationSeconds * 1000) };
    },
  };
  const client = localDynamoDbClient(runtime.dynamoDbEndpoint);
  const db = createDocumentClient(client);
  const budgetTable = `${runtime.config.tableName}-bench-budget`;
  await ensureTable(client, budgetTable);
  const tables = {
    directory: new DynamoDbConnectionDirectory(db, runtime.config.tableName),
    budget: new DynamoDbRateBudget(db, budgetTable, STS_BUDGET, DEFAULT_STS_BUDGET, () => now),
  };
  const broker = makeCredentialsBroker({
    consumers: runtime.config.credentialConsumers,
    assertions: makeAssertionVerifier({
      key: createLocalJWKSet(runtime.issuer.jwks),
      issuer: LOCAL_ISSUER,
      audience: LOCAL_BROKER_AUDIENCE,
    }),
    tables: async () => tables,
    issuer,
    roleRules: {
      trustedAccountId: runtime.config.trustedAccountId,
      allowedPartitions: [runtime.config.partition],
    },
    metrics: { count: () => undefined },
    clock: () => now,
  });
  const stepMs = (minutes * 60_000) / SPREAD_REQUESTS;
  let seed = 7;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  try {
    for (let i = 0; i < SPREAD_REQUESTS; i += 1) {
      const account = accounts[Math.floor(random() * accounts.length)] ?? '';
      const consumer = CONSUMERS[Math.floor(random() * CONSUMERS.length)] ?? '';
      granted(
        await broker.answer({ ...request(account, consumer), durationSeconds: 3600 }, { verified: false }),
      );
      now += stepMs;
    }
  } finally {
    client.destroy();
  }
  const gaps = [...calls.values()].flatMap((times) =>
    times.slice(1).map((time, i) => time - (times[i] ?? 0)),
  );
  return {
    requests: SPREAD_REQUESTS,
    cacheKeys: calls.size,
    assumeRoleCalls: [...calls.values()].reduce((sum, times) => sum + times.length, 0),
    simulatedMinutes: minutes,
    minMinutesBetweenCalls: gaps.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...gaps) / 60_000,
  };
}

function granted(answer: CredentialAnswer): void {
  if ('error' in answer) throw new Error(`the broker refused: ${answer.error.code} ${answer.error.message}`);
}
