import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { STSClient } from '@aws-sdk/client-sts';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { StsCallerIdentity } from '../lambdas/adapters/aws/sts-caller-identity';
import { forwardedEventOf, type SandboxChange } from '../lambdas/adapters/sandbox/forwarded-events';
import type { SandboxOrganization } from '../lambdas/adapters/sandbox/sandbox-organization';
import { errorName, GATEWAY_ERRORS, GATEWAY_RETRY_AFTER_SECONDS } from '../lambdas/core/errors';
import { API_ROUTES } from '../lambdas/routes';
import { TEMPLATE_NAMES } from '../schemas/api/onboarding';
import {
  AuthorizerCache,
  isAllowed,
  type LocalAccount,
  lambdaContext,
  matchRoute,
  TenantRequestLimits,
  toAuthorizerEvent,
  toProxyEvent,
} from './api-gateway';
import { type AwsApiAnswer, eventBridgePutEvents, lambdaInvoke, stsQuery } from './aws-apis';
import type { LocalConfig } from './config';
import { consoleRoute } from './console';
import { ensureTable, localDynamoDbClient, startDynamoDbLocal } from './dynamodb-local';
import { LocalEventBus } from './event-bus';
import { setFunctionEnvironment, TEMPLATES_DIR } from './function-environment';
import { type LocalHandlers, loadHandlers } from './handlers';
import { answerMalformed, listen, REQUEST_ID_HEADER, readBody, sendError, stop, stringHeaders } from './http';
import { type LocalIssuer, loadLocalIssuer } from './jwt-issuer';
import { type OutboxStream, startOutboxStream } from './outbox-stream';
import { type LocalAnswer, sandboxAdmin } from './sandbox-admin';
import { loadSandboxOrganization } from './sandbox-org';
import { type ScheduleTicker, startScheduleTicker } from './schedule';

export interface LocalRuntime {
  /** The settings it runs with; with `--aws`, the platform account is the credentials' own. */
  readonly config: LocalConfig;
  readonly url: string;
  readonly issuer: LocalIssuer;
  readonly bus: LocalEventBus;
  readonly dynamoDbEndpoint: string;
  /** The simulated customer organization; absent with `--aws`. */
  readonly sandbox: SandboxOrganization | undefined;
  /** Resolves when no sync runs and every outbox event has been published. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the whole backend on this machine: DynamoDB Local with the stack's table, a local
 * token issuer, the in-process connections bus, and an HTTP server that turns requests into
 * API Gateway events for the same handlers Lambda runs.
 */
export async function startLocalRuntime(requested: LocalConfig): Promise<LocalRuntime> {
  const config = await resolveConfig(requested);
  const issuer = await loadLocalIssuer(config.stateDir);
  const sandbox =
    config.mode === 'sandbox'
      ? await loadSandboxOrganization(config.sandboxOrgFile, config.trustedAccountId)
      : undefined;
  const dynamo = await startDynamoDbLocal({ dataDir: config.dataDir });
  let server: Server | undefined;
  let outbox: OutboxStream | undefined;
  let ticker: ScheduleTicker | undefined;
  try {
    const client = localDynamoDbClient(dynamo.endpoint);
    await ensureTable(client, config.tableName);
    client.destroy();
    const { trustedAccountId: accountId, partition, region } = config;
    const account: LocalAccount = { accountId, partition, region };
    const bus = new LocalEventBus(config.trustedAccountId, config.region);
    let handlers: LocalHandlers | undefined;
    const { emit, routing } = sandboxIngress(sandbox, () => handlers);
    const requests = new TenantRequestLimits({
      rate: config.fairUse.requestsPerSecond,
      burst: config.fairUse.requestBurst,
    });
    const authorizations = new AuthorizerCache();
    // Until the handlers are loaded there is no background work to wait for.
    let settle = async () => undefined;
    const settled = () => settle();
    server = localServer(() => ({
      handlers,
      issuer,
      bus,
      account,
      sandbox,
      emit,
      requests,
      authorizations,
      settled,
    }));
    const url = await listen(server, config.port);
    setFunctionEnvironment(config, url, dynamo.endpoint);
    const loaded = await loadHandlers(config, sandbox, bus, url);
    // Lambda gives each reader its own mapping; here one reader feeds both, in turn. A batch
    // that fails is offered to both again: both are idempotent.
    outbox = await startOutboxStream(dynamo.endpoint, config.tableName, async (event) => {
      for (const read of loaded.streamReaders) await read(event);
    });
    handlers = loaded;
    if (config.schedule) ticker = startScheduleTicker(loaded.scheduler, config.scheduleIntervalMs);
    const running = server;
    const stream = outbox;
    const schedule = ticker;
    settle = async () => {
      await schedule?.idle();
      await Promise.all(routing);
      await loaded.workflow.idle();
      await stream.drained();
    };
    return {
      config,
      url,
      issuer,
      bus,
      sandbox,
      dynamoDbEndpoint: dynamo.endpoint,
      settled,
      async stop() {
        await schedule?.stop();
        await loaded.workflow.idle();
        await stream.stop();
        await stop(running, dynamo);
      },
    };
  } catch (error: unknown) {
    // Nothing may outlive a failed start: the port and the Java process are released.
    if (server?.listening) await new Promise((resolve) => server?.close(resolve));
    await ticker?.stop();
    await outbox?.stop();
    await dynamo.stop();
    throw error;
  }
}

/**
 * The sandbox's changes as a customer's forwarder would send them: each becomes its CloudTrail
 * event and goes to the router once the handlers are loaded. `routing` holds what is still on
 * its way.
 */
function sandboxIngress(
  sandbox: SandboxOrganization | undefined,
  handlersOf: () => LocalHandlers | undefined,
): { emit: (change: SandboxChange) => void; routing: ReadonlySet<Promise<void>> } {
  const routing = new Set<Promise<void>>();
  const emit = (change: SandboxChange) => {
    const handlers = handlersOf();
    if (!sandbox || !handlers) return;
    const event = forwardedEventOf(sandbox, change);
    const routed: Promise<void> = handlers.router
      .route(event, crypto.randomUUID())
      .then(
        (outcome) => console.log(`ingress: ${change.kind} event → ${outcome.outcome}`),
        (error: unknown) => console.error('ingress: the router failed', error),
      )
      .finally(() => routing.delete(routed));
    routing.add(routed);
  };
  return { emit, routing };
}

/**
 * Checks the mode's preconditions. With `--aws` the platform's account is the credentials' own,
 * from GetCallerIdentity, as it would be for a deployment made with them.
 */
async function resolveConfig(config: LocalConfig): Promise<LocalConfig> {
  if (config.emulator) {
    if (config.mode !== 'aws') {
      throw new Error('--emulator goes only with --aws: the sandbox enforces trust policies itself.');
    }
    if (!process.env.AWS_ENDPOINT_URL_STS && !process.env.AWS_ENDPOINT_URL) {
      throw new Error(
        '--emulator needs AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_STS) naming the emulator: against AWS itself, the External ID probes are never waived.',
      );
    }
  }
  if (config.mode !== 'aws') return config;
  const sts = new STSClient({ region: process.env.AWS_REGION ?? config.region });
  try {
    const { accountId } = await new StsCallerIdentity(sts).getCallerIdentity();
    return { ...config, trustedAccountId: accountId };
  } catch (error: unknown) {
    throw new Error(
      `--aws needs working AWS credentials, and GetCallerIdentity failed: ${errorName(error)}.`,
      {
        cause: error,
      },
    );
  } finally {
    sts.destroy();
  }
}

interface ServeContext {
  readonly handlers: LocalHandlers | undefined;
  /** Sends a sandbox change's CloudTrail event to the router, as a customer's forwarder would. */
  readonly emit: (change: SandboxChange) => void;
  readonly issuer: LocalIssuer;
  readonly bus: LocalEventBus;
  readonly account: LocalAccount;
  readonly sandbox: SandboxOrganization | undefined;
  /** Each tenant's requests, counted under the usage key its authorizer answer names. */
  readonly requests: TenantRequestLimits;
  readonly authorizations: AuthorizerCache;
  /** Waits for the background work: syncs, member checks, routing and publishing. */
  readonly settled: () => Promise<void>;
}

/** The local API's server: each request is served with what the runtime holds at that moment. */
function localServer(contextNow: () => ServeContext): Server {
  const server = createServer((request, response) => {
    serve(request, response, contextNow()).catch((error: unknown) => {
      console.error('local server failed to answer', error);
      if (!response.headersSent) sendError(response, GATEWAY_ERRORS.internal);
    });
  });
  server.on('clientError', answerMalformed);
  return server;
}

/**
 * The local server answers only requests addressed to this machine's loopback by name or
 * address. A web page can point a DNS name of its own at 127.0.0.1 (DNS rebinding), but the
 * browser then sends that name as the Host, and is refused.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  const name = /^(\[[^\]]+\]|[^:]+)(:\d+)?$/.exec(host ?? '')?.[1]?.toLowerCase();
  return name === '127.0.0.1' || name === 'localhost';
}

async function serve(request: IncomingMessage, response: ServerResponse, ctx: ServeContext): Promise<void> {
  if (!isLoopbackHost(request.headers.host)) {
    return sendError(response, {
      status: 403,
      code: 'FORBIDDEN',
      message: 'The local runtime answers only requests to 127.0.0.1 or localhost.',
    });
  }
  const method = request.method ?? 'GET';
  const url = new URL(request.url ?? '/', 'http://localhost');
  const local = await localRoute(method, url, request, ctx);
  if (local !== undefined) {
    response.writeHead(local.status, {
      ...local.headers,
      'content-type': local.contentType ?? 'application/json',
    });
    response.end(local.text ?? JSON.stringify(local.body));
    return;
  }

  const match = matchRoute(API_ROUTES, method, url.pathname);
  if (!match) return sendError(response, GATEWAY_ERRORS.routeNotFound);
  if (!ctx.handlers)
    return sendError(response, { status: 503, code: 'UPSTREAM_UNAVAILABLE', message: 'Starting up.' });

  // As API Gateway: a public route calls no authorizer; otherwise no token, no call to the
  // authorizer, and a refusal never reaches the handler.
  let authorizer: APIGatewayAuthorizerResult | undefined;
  if (!match.route.public) {
    const token = request.headers.authorization;
    if (!token) return sendError(response, GATEWAY_ERRORS.unauthorized);
    const { handlers } = ctx;
    authorizer = await ctx.authorizations.get(token, () =>
      handlers
        .authorizer(
          toAuthorizerEvent(token, method, match.route.path, ctx.account),
          lambdaContext('authorizer', ctx.account),
        )
        .catch(() => undefined),
    );
    if (!authorizer || !isAllowed(authorizer)) return sendError(response, GATEWAY_ERRORS.unauthorized);
    // As the usage plan: every request of the tenant counts, and over its share it is a 429.
    if (!ctx.requests.tryTake(authorizer.usageIdentifierKey)) {
      return sendError(response, GATEWAY_ERRORS.throttled, {
        'retry-after': String(GATEWAY_RETRY_AFTER_SECONDS),
      });
    }
  }

  const body = await readBody(request);
  if (body === undefined) {
    return sendError(response, {
      status: 413,
      code: 'VALIDATION_FAILED',
      message: 'The request is too large.',
    });
  }
  const event = toProxyEvent({
    match,
    method,
    url,
    headers: request.headers,
    body,
    authorizer,
    accountId: ctx.account.accountId,
  });
  const result = await ctx.handlers.api[match.route.function](
    event,
    lambdaContext(match.route.function, ctx.account),
  );
  response.writeHead(result.statusCode, {
    ...stringHeaders(result.headers),
    [REQUEST_ID_HEADER]: event.requestContext.requestId,
  });
  response.end(result.body);
}

function awsAnswer({ status, headers, text }: AwsApiAnswer): LocalAnswer {
  const { 'content-type': contentType, ...rest } = headers;
  return { status, text, contentType, headers: rest };
}

/**
 * The local runtime's own routes: health, recorded events, the issuer's public keys, the console
 * with its local sign-in, the raw templates, Lambda's Invoke API and STS's GetCallerIdentity,
 * and the sandbox organization with its admin route. They need no token.
 */
async function localRoute(
  method: string,
  url: URL,
  request: IncomingMessage,
  ctx: ServeContext,
): Promise<LocalAnswer | undefined> {
  const route = `${method} ${url.pathname}`;
  if (route === 'GET /healthz') return { status: 200, body: { status: ctx.handlers ? 'ok' : 'starting' } };
  if (route === 'GET /local/events') {
    return { status: 200, body: ctx.bus.list(Math.max(0, Number(url.searchParams.get('since') ?? 0) || 0)) };
  }
  if (route === 'GET /local/jwks.json') return { status: 200, body: ctx.issuer.jwks };
  if (route === 'GET /local/settled') {
    await ctx.settled();
    return { status: 200, body: { settled: true, events: ctx.bus.list().length } };
  }
  const consoleAnswer = await consoleRoute(method, url, () => readBody(request), ctx.issuer);
  if (consoleAnswer !== undefined) return consoleAnswer;
  const invoked = /^POST \/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(route)?.[1];
  if (invoked !== undefined && ctx.handlers) {
    const body = (await readBody(request)) ?? '';
    return awsAnswer(await lambdaInvoke(ctx.handlers.invocable, decodeURIComponent(invoked), body));
  }
  if (route === 'POST /local/eventbridge' || route === 'POST /local/eventbridge/') {
    return awsAnswer(await eventBridgePutEvents(ctx.bus, request.headers, (await readBody(request)) ?? ''));
  }
  if (route === 'POST /local/sts' || route === 'POST /local/sts/') {
    const rules = { allowedPartitions: [ctx.account.partition], trustedAccountId: ctx.account.accountId };
    return awsAnswer(await stsQuery(ctx.sandbox, rules, request.headers, (await readBody(request)) ?? ''));
  }
  const template = /^GET \/local\/templates\/([a-z-]+)\.yaml$/.exec(route)?.[1];
  if (template !== undefined && (TEMPLATE_NAMES as readonly string[]).includes(template)) {
    const text = await readFile(path.join(TEMPLATES_DIR, `${template}.yaml`), 'utf8');
    return { status: 200, text, contentType: 'application/yaml; charset=utf-8' };
  }
  if (!ctx.sandbox) return undefined;
  if (route === 'GET /local/sandbox') return { status: 200, body: ctx.sandbox.snapshot() };
  if (!route.startsWith('GET ') && url.pathname.startsWith('/local/sandbox/')) {
    return sandboxAdmin(ctx.sandbox, method, url.pathname, await readBody(request), ctx.emit);
  }
  return undefined;
}
