import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ErrorCode, GATEWAY_ERRORS } from '../lambdas/core/errors';
import { API_ROUTES } from '../lambdas/routes';
import {
  isAllowed,
  type LocalAccount,
  lambdaContext,
  matchRoute,
  toAuthorizerEvent,
  toProxyEvent,
} from './api-gateway';
import type { LocalConfig } from './config';
import { type DynamoDbLocal, ensureTable, localDynamoDbClient, startDynamoDbLocal } from './dynamodb-local';
import { LocalEventBus } from './event-bus';
import { type LocalHandlers, loadHandlers } from './handlers';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, type LocalIssuer, loadLocalIssuer } from './jwt-issuer';

/** API Gateway's own payload limit; handlers apply their tighter ones. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export interface LocalRuntime {
  readonly url: string;
  readonly issuer: LocalIssuer;
  readonly bus: LocalEventBus;
  readonly dynamoDbEndpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts the whole backend on this machine: DynamoDB Local with the stack's table, a local
 * token issuer, the in-process connections bus, and an HTTP server that turns requests into
 * API Gateway events for the same handlers Lambda runs.
 */
export async function startLocalRuntime(config: LocalConfig): Promise<LocalRuntime> {
  const issuer = await loadLocalIssuer(config.stateDir);
  const dynamo = await startDynamoDbLocal({ dataDir: config.dataDir });
  let server: Server | undefined;
  try {
    const client = localDynamoDbClient(dynamo.endpoint);
    await ensureTable(client, config.tableName);
    client.destroy();
    const account: LocalAccount = {
      accountId: config.trustedAccountId,
      partition: config.partition,
      region: config.region,
    };
    const bus = new LocalEventBus(config.trustedAccountId, config.region);
    let handlers: LocalHandlers | undefined;
    server = createServer((request, response) => {
      serve(request, response, { handlers, issuer, bus, account }).catch((error: unknown) => {
        console.error('local server failed to answer', error);
        if (!response.headersSent) sendError(response, GATEWAY_ERRORS.internal);
      });
    });
    const url = await listen(server, config.port);
    setFunctionEnvironment(config, url, dynamo.endpoint);
    handlers = await loadHandlers(config);
    const running = server;
    return { url, issuer, bus, dynamoDbEndpoint: dynamo.endpoint, stop: () => stop(running, dynamo) };
  } catch (error: unknown) {
    // Nothing may outlive a failed start: the port and the Java process are released.
    if (server?.listening) await new Promise((resolve) => server?.close(resolve));
    await dynamo.stop();
    throw error;
  }
}

/** The environment each function gets from the stack, with local values. */
function setFunctionEnvironment(config: LocalConfig, url: string, dynamoDbEndpoint: string): void {
  const env = process.env;
  env.AWS_REGION ??= config.region;
  if (config.mode === 'sandbox') {
    // DynamoDB Local accepts any credentials; the sandbox needs none of its own.
    env.AWS_ACCESS_KEY_ID ??= 'local';
    env.AWS_SECRET_ACCESS_KEY ??= 'local';
  }
  env.AWS_ENDPOINT_URL_DYNAMODB = dynamoDbEndpoint;
  env.TABLE_NAME = config.tableName;
  env.TRUSTED_ACCOUNT_ID = config.trustedAccountId;
  env.PARTITION = config.partition;
  env.AUTH_ISSUER = LOCAL_ISSUER;
  env.AUTH_AUDIENCE = LOCAL_AUDIENCE;
  env.AUTH_JWKS_URI = `${url}/local/jwks.json`;
  env.CLAIM_TENANT = 'tenant_id';
  env.CLAIM_ORG_IDS = 'org_ids';
  env.CLAIM_ROLES = 'roles';
  env.POWERTOOLS_SERVICE_NAME ??= 'aws-org-connections';
}

interface ServeContext {
  readonly handlers: LocalHandlers | undefined;
  readonly issuer: LocalIssuer;
  readonly bus: LocalEventBus;
  readonly account: LocalAccount;
}

async function serve(request: IncomingMessage, response: ServerResponse, ctx: ServeContext): Promise<void> {
  const method = request.method ?? 'GET';
  const url = new URL(request.url ?? '/', 'http://localhost');
  const local = localRoute(method, url, ctx);
  if (local !== undefined) return sendJson(response, 200, local);

  const match = matchRoute(API_ROUTES, method, url.pathname);
  if (!match) return sendError(response, GATEWAY_ERRORS.routeNotFound);
  if (!ctx.handlers)
    return sendError(response, { status: 503, code: 'UPSTREAM_UNAVAILABLE', message: 'Starting up.' });

  // As API Gateway: no token, no call to the authorizer; a refusal never reaches the handler.
  const token = request.headers.authorization;
  if (!token) return sendError(response, GATEWAY_ERRORS.unauthorized);
  const authorizer = await ctx.handlers
    .authorizer(
      toAuthorizerEvent(token, method, match.route.path, ctx.account),
      lambdaContext('authorizer', ctx.account),
    )
    .catch(() => undefined);
  if (!authorizer || !isAllowed(authorizer)) return sendError(response, GATEWAY_ERRORS.unauthorized);

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
  response.writeHead(result.statusCode, stringHeaders(result.headers));
  response.end(result.body);
}

/** The local runtime's own routes: health, the recorded events, the issuer's public keys. */
function localRoute(method: string, url: URL, ctx: ServeContext): unknown {
  if (method !== 'GET') return undefined;
  switch (url.pathname) {
    case '/healthz':
      return { status: ctx.handlers ? 'ok' : 'starting' };
    case '/local/events':
      return ctx.bus.list(Math.max(0, Number(url.searchParams.get('since') ?? 0) || 0));
    case '/local/jwks.json':
      return ctx.issuer.jwks;
    default:
      return undefined;
  }
}

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function sendError(
  response: ServerResponse,
  error: { status: number; code: ErrorCode; message: string },
): void {
  sendJson(response, error.status, {
    error: { code: error.code, message: error.message, requestId: crypto.randomUUID() },
  });
}

function stringHeaders(
  headers: Record<string, boolean | number | string> | undefined,
): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));
}

async function listen(server: Server, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

async function stop(server: Server, dynamo: DynamoDbLocal): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await dynamo.stop();
}
