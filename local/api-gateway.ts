import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayTokenAuthorizerEvent,
  Context,
} from 'aws-lambda';
import { systemClock } from '../lambdas/core/clock';
import { type RateLimit, TokenBucket } from '../lambdas/core/token-bucket';
import type { ApiRoute } from '../lambdas/routes';
import type { Partition } from '../schemas/api/common';

/** What the local server needs from a Lambda handler: the same call API Gateway makes. */
export type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;
export type ProxyHandler = LambdaHandler<APIGatewayProxyEvent, APIGatewayProxyResult>;
export type TokenAuthorizer = LambdaHandler<APIGatewayTokenAuthorizerEvent, APIGatewayAuthorizerResult>;

const LOCAL_API_ID = 'local';
const LOCAL_STAGE = 'local';

export interface RouteMatch {
  readonly route: ApiRoute;
  readonly pathParameters: Record<string, string>;
}

/** Finds the route for a method and path, as API Gateway's resource tree would. */
export function matchRoute(
  routes: readonly ApiRoute[],
  method: string,
  pathname: string,
): RouteMatch | undefined {
  const segments = pathname.split('/').filter(Boolean);
  for (const route of routes) {
    if (route.method !== method) continue;
    const template = route.path.split('/').filter(Boolean);
    if (template.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    const matches = template.every((part, i) => {
      const segment = segments[i] ?? '';
      const parameter = /^\{(\w+)\}$/.exec(part)?.[1];
      if (parameter) {
        pathParameters[parameter] = decodeURIComponent(segment);
        return true;
      }
      return part === segment;
    });
    if (matches) return { route, pathParameters };
  }
  return undefined;
}

export interface ProxyEventInput {
  readonly match: RouteMatch;
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Absent for a public route, as API Gateway then calls no authorizer. */
  readonly authorizer: APIGatewayAuthorizerResult | undefined;
  readonly accountId: string;
}

/** Builds the event API Gateway's Lambda proxy integration would send for this request. */
export function toProxyEvent(input: ProxyEventInput): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(input.headers)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    headers[name] = values.join(',');
    multiValueHeaders[name] = values;
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of input.url.searchParams) {
    query[name] = value;
    multiQuery[name] = [...(multiQuery[name] ?? []), value];
  }
  const hasQuery = Object.keys(query).length > 0;
  const hasPath = Object.keys(input.match.pathParameters).length > 0;
  return {
    resource: input.match.route.path,
    path: input.url.pathname,
    httpMethod: input.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: hasPath ? input.match.pathParameters : null,
    stageVariables: null,
    body: input.body === '' ? null : input.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: input.accountId,
      apiId: LOCAL_API_ID,
      authorizer: input.authorizer
        ? { ...input.authorizer.context, principalId: input.authorizer.principalId }
        : null,
      httpMethod: input.method,
      identity: localIdentity(),
      path: input.url.pathname,
      protocol: 'HTTP/1.1',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: LOCAL_API_ID,
      resourcePath: input.match.route.path,
      stage: LOCAL_STAGE,
    },
  };
}

export interface LocalAccount {
  readonly accountId: string;
  readonly partition: Partition;
  readonly region: string;
}

export function toAuthorizerEvent(
  token: string,
  method: string,
  resourcePath: string,
  account: LocalAccount,
): APIGatewayTokenAuthorizerEvent {
  const { partition, region, accountId } = account;
  return {
    type: 'TOKEN',
    authorizationToken: token,
    methodArn: `arn:${partition}:execute-api:${region}:${accountId}:${LOCAL_API_ID}/${LOCAL_STAGE}/${method}${resourcePath}`,
  };
}

/** True when a policy from the authorizer allows invoking the API. */
export function isAllowed(result: APIGatewayAuthorizerResult): boolean {
  return result.policyDocument.Statement.some((statement) => statement.Effect === 'Allow');
}

/** A Lambda context for one local invocation, with the usual 29 s API Gateway budget. */
export function lambdaContext(functionName: string, account: LocalAccount, timeoutMs = 29_000): Context {
  const deadline = Date.now() + timeoutMs;
  const { partition, region, accountId } = account;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:${partition}:lambda:${region}:${accountId}:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/local/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function localIdentity(): APIGatewayProxyEvent['requestContext']['identity'] {
  return {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp: '127.0.0.1',
    user: null,
    userAgent: null,
    userArn: null,
  };
}

/** How long API Gateway keeps an authorizer's Allow for a token (the stack's resultsCacheTtl). */
const AUTHORIZER_CACHE_MS = 5 * 60 * 1000;
/** Tokens remembered at once; the oldest is forgotten first. */
const AUTHORIZER_CACHE_ENTRIES = 10_000;

/**
 * As API Gateway: an Allow is kept per token for five minutes and serves every route, so a
 * token is verified once and not on each request. A refusal is not kept.
 */
export class AuthorizerCache {
  private readonly allowed = new Map<
    string,
    { readonly result: APIGatewayAuthorizerResult; readonly until: number }
  >();

  async get(
    token: string,
    authorize: () => Promise<APIGatewayAuthorizerResult | undefined>,
  ): Promise<APIGatewayAuthorizerResult | undefined> {
    const kept = this.allowed.get(token);
    if (kept && kept.until > Date.now()) return kept.result;
    this.allowed.delete(token);
    const result = await authorize();
    if (result && isAllowed(result)) {
      if (this.allowed.size >= AUTHORIZER_CACHE_ENTRIES) {
        const oldest = this.allowed.keys().next();
        if (!oldest.done) this.allowed.delete(oldest.value);
      }
      this.allowed.set(token, { result, until: Date.now() + AUTHORIZER_CACHE_MS });
    }
    return result;
  }
}

/**
 * A token bucket per usage key, as API Gateway's usage plan keeps one per API key. A request
 * without a key (the authorizer named none) is not counted, as a method without a key is not.
 */
export class TenantRequestLimits {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly limit: RateLimit) {}

  tryTake(key: string | null | undefined): boolean {
    if (key === undefined || key === null) return true;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.limit, systemClock);
      this.buckets.set(key, bucket);
    }
    return bucket.tryTake();
  }
}
