import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { toAuthorizerContext } from '../lambdas/core/tenant-context';
import { API_ROUTES } from '../lambdas/routes';
import { matchRoute, toProxyEvent } from '../local/api-gateway';
import type { LocalRuntime } from '../local/runtime';
import { localApi } from '../test/fixtures/local-api';
import { type SynthesizedFunction, synthesizeFunctions } from './bundles';
import { median } from './latency';
import type { ColdPathResult } from './results';

const run = promisify(execFile);
const COLD_STARTS = 20;
const TENANT = { tenantId: 'bench-cold' };
const WORKSPACE = 'ws-cold';
const MEMBER_ROLE = 'OrgConnectionsReadOnly';

/**
 * Prints, as JSON, how long a fresh process takes to require the bundle named by argv[1] and then
 * to answer its first invocation, with the event and context in COLD_PATH_INVOCATION. The answer
 * is printed too, so a request that failed is not counted as a cold start.
 */
const COLD_START = `
const { event, functionName } = JSON.parse(process.env.COLD_PATH_INVOCATION);
const context = {
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:' + functionName,
  memoryLimitInMB: '256',
  awsRequestId: 'cold-path',
  logGroupName: '/bench/' + functionName,
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 29000,
};
const started = performance.now();
const { handler } = require(process.argv[1]);
const loaded = performance.now();
handler(event, context).then((answer) => {
  const answered = performance.now();
  console.log(JSON.stringify({ loadMs: loaded - started, firstRequestMs: answered - loaded, answer }));
  process.exit(0);
});
`;

interface ColdStart {
  readonly loadMs: number;
  readonly firstRequestMs: number;
  readonly answer: unknown;
}

/**
 * The cold path as a caller meets it: a fresh process requires a deployed function's bundle and
 * answers its first request, against the local runtime's DynamoDB Local and STS. For the status
 * route (the integrations function) and for one credentials issue (the broker, an AssumeRole of a
 * sandbox role each time: a new process has an empty session cache), 20 cold starts each.
 */
export async function benchColdPath(
  runtime: LocalRuntime,
  log: (message: string) => void,
): Promise<ColdPathResult[]> {
  const api = localApi(() => runtime);
  const sandbox = runtime.sandbox;
  if (!sandbox) throw new Error('the cold path benchmark needs the sandbox');
  const externalId = await api.externalIdOf(TENANT.tenantId);
  const account = sandbox
    .snapshot()
    .accounts.find(
      (candidate) => candidate.state === 'ACTIVE' && candidate.id !== sandbox.managementAccountId,
    );
  if (!account) throw new Error('the sandbox organization has no member account');
  await api.deployRole(account.id, MEMBER_ROLE, externalId);
  const integration = await api.createOrganizationIntegration(TENANT, {
    handle: 'bench_cold',
    permissions: { share: 'selected', workspaceIds: [WORKSPACE] },
  });
  await runtime.settled();

  const synthesized = await synthesizeFunctions((message) => log(`cold path: ${message}`));
  try {
    const byName = (name: string): SynthesizedFunction => {
      const found = synthesized.functions.find((fn) => fn.name === name);
      if (!found) throw new Error(`no function ${name} in the synthesized app`);
      return found;
    };
    const statusPath = `/v1/integrations/${integration.id}/status`;
    const match = matchRoute(API_ROUTES, 'GET', statusPath);
    if (!match) throw new Error(`no route for GET ${statusPath}`);
    const tenant = { ...TENANT, subject: 'bench-owner', orgIds: [], roles: ['tenant_owner'] };
    const statusEvent = toProxyEvent({
      match,
      method: 'GET',
      url: new URL(statusPath, runtime.url),
      headers: {},
      body: '',
      authorizer: {
        principalId: tenant.subject,
        policyDocument: { Version: '2012-10-17', Statement: [] },
        context: toAuthorizerContext(tenant),
      },
      accountId: runtime.config.trustedAccountId,
    });
    const issueEvent = {
      tenantId: TENANT.tenantId,
      workspaceId: WORKSPACE,
      connection: { integrationId: integration.id, accountId: account.id },
      consumer: 'query-worker',
      assertion: await runtime.issuer.signAssertion({ ...TENANT, workspaceId: WORKSPACE, ttlSeconds: 3600 }),
    };

    const results: ColdPathResult[] = [];
    // The synthesized app configures no assertion issuer; the local runtime has one, which the
    // broker's consumers require.
    const assertionIssuer = [
      'BROKER_ASSERTION_ISSUER',
      'BROKER_ASSERTION_JWKS_URI',
      'BROKER_ASSERTION_AUDIENCE',
    ];
    for (const [path, fn, event, served, alsoRead] of [
      [
        'GET …/status',
        byName('Integrations'),
        statusEvent,
        (answer: unknown) => statusOf(answer) === 200,
        [],
      ],
      ['credentials issue', byName('CredentialsBroker'), issueEvent, isGrant, assertionIssuer],
    ] as const) {
      log(`cold path: ${path}, ${COLD_STARTS} fresh processes`);
      const starts: ColdStart[] = [];
      for (let attempt = 0; attempt < COLD_STARTS; attempt += 1) {
        const start = await coldStart(fn, event, localEnvironment(runtime, fn, alsoRead));
        if (!served(start.answer)) throw new Error(`${path} was not served: ${JSON.stringify(start.answer)}`);
        starts.push(start);
      }
      results.push({
        path,
        function: fn.name,
        coldStarts: starts.length,
        loadP50Ms: median(starts.map((start) => start.loadMs)),
        firstRequestP50Ms: median(starts.map((start) => start.firstRequestMs)),
        totalP50Ms: median(starts.map((start) => start.loadMs + start.firstRequestMs)),
      });
    }
    return results;
  } finally {
    await synthesized.remove();
  }
}

/**
 * The function's environment from the template, with the local runtime's values where it has
 * them (the table, the issuers, the consumers) and its DynamoDB Local and STS as endpoints. No
 * tenant table role: DynamoDB Local checks no IAM, so a deployed first request's AssumeRole of
 * that role is not in these figures.
 */
function localEnvironment(
  runtime: LocalRuntime,
  fn: SynthesizedFunction,
  alsoRead: readonly string[],
): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(fn.environment)) {
    if (name === 'TENANT_TABLE_ROLE_ARN') continue;
    environment[name] = process.env[name] ?? value;
  }
  for (const name of alsoRead) environment[name] = process.env[name] ?? '';
  return {
    ...environment,
    PATH: process.env.PATH ?? '',
    AWS_REGION: runtime.config.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: runtime.dynamoDbEndpoint,
    AWS_ENDPOINT_URL_STS: `${runtime.url}/local/sts`,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
}

async function coldStart(
  fn: SynthesizedFunction,
  event: unknown,
  environment: Record<string, string>,
): Promise<ColdStart> {
  const { stdout } = await run(process.execPath, ['--input-type=commonjs', '-e', COLD_START, fn.bundle], {
    env: { ...environment, COLD_PATH_INVOCATION: JSON.stringify({ event, functionName: fn.name }) },
    maxBuffer: 2 ** 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ColdStart;
}

function statusOf(answer: unknown): unknown {
  return typeof answer === 'object' && answer !== null && 'statusCode' in answer
    ? answer.statusCode
    : undefined;
}

function isGrant(answer: unknown): boolean {
  return typeof answer === 'object' && answer !== null && 'credentials' in answer;
}
