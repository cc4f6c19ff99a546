import type { MiddlewareObj, MiddyfiedHandler } from '@middy/core';
import httpCors from '@middy/http-cors';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import * as z from 'zod';
import { envSchema } from '../../schemas/environment';
import { loadEnv } from './env';
import { AppError, fieldIssuesOf, GATEWAY_ERRORS, toErrorEnvelope, ValidationError } from './errors';
import { lambdaHandler } from './lambda-handler';
import { logger } from './logger';
import { type TenantRequest, type TenantScope, tenantFromAuthorizer } from './tenant-context';
import { annotateTrace } from './tracer';

/** Bodies are small JSON documents; anything larger is a mistake or an attack. */
export const MAX_BODY_BYTES = 64 * 1024;

const httpEnv = loadEnv(envSchema('CORS_ALLOWED_ORIGINS'));

export interface HttpRequest<B, Q, P> {
  readonly body: B;
  readonly query: Q;
  readonly path: P;
  readonly headers: Readonly<Record<string, string>>;
  readonly tenant: TenantRequest;
}

export interface HttpResponse {
  readonly status: number;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Sent as is, instead of `body`; give its `content-type` in `headers`. */
  readonly text?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RequestSchemas<B, Q, P> {
  readonly body?: z.ZodType<B>;
  readonly query?: z.ZodType<Q>;
  readonly path?: z.ZodType<P>;
}

export type ApiHandler = MiddyfiedHandler<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>;

/** A key of `httpRoutes`: the method and API Gateway resource path, as in `lambdas/routes.ts`. */
export type RouteKey = `${'GET' | 'POST' | 'PATCH' | 'DELETE'} /${string}`;

/**
 * One function serving several routes of a capability: API Gateway names the route in
 * `httpMethod` and `resource`, and each route keeps its own validated `httpHandler`.
 */
export function httpRoutes(routes: Readonly<Partial<Record<RouteKey, ApiHandler>>>) {
  return async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const route = routes[`${event.httpMethod} ${event.resource}` as RouteKey];
    if (route) return route(event, context);
    const { status, code, message } = GATEWAY_ERRORS.routeNotFound;
    return {
      statusCode: status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(toErrorEnvelope(new AppError(code, message), event.requestContext.requestId)),
    };
  };
}

/**
 * Wraps an API route: verified tenant, validated input, the error envelope, CORS and a
 * logger that knows the request. The route function receives typed input and returns a status
 * and a body; everything else is decided here, once.
 */
export function httpHandler<B = undefined, Q = Record<string, never>, P = Record<string, never>>(
  schemas: RequestSchemas<B, Q, P>,
  route: (request: HttpRequest<B, Q, P>) => Promise<HttpResponse>,
): ApiHandler {
  const handle = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const tenant = {
      ...tenantFromAuthorizer(event.requestContext.authorizer),
      correlationId: event.requestContext.requestId,
    };
    logger.appendKeys({ tenantId: tenant.tenantId });
    annotateTrace({ tenantId: tenant.tenantId });
    const request: HttpRequest<B, Q, P> = {
      body: validate(schemas.body, readJsonBody(event), 'body'),
      query: validate(schemas.query, event.queryStringParameters ?? {}, 'query'),
      path: validate(schemas.path, event.pathParameters ?? {}, 'path'),
      headers: lowerCaseHeaders(event.headers),
      tenant,
    };
    return proxyResult(await route(request));
  };
  return withHttpMiddleware(handle);
}

/** A route answered without a token (API Gateway calls no authorizer for it): no tenant, no input. */
export function publicHttpHandler(route: () => Promise<HttpResponse>): ApiHandler {
  return withHttpMiddleware(async () => proxyResult(await route()));
}

function proxyResult(response: HttpResponse): APIGatewayProxyResult {
  return {
    statusCode: response.status,
    headers: { 'content-type': 'application/json', ...response.headers },
    body: response.text ?? (response.body === undefined ? '' : JSON.stringify(response.body)),
  };
}

function withHttpMiddleware(
  handle: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>,
): ApiHandler {
  const handler = lambdaHandler<APIGatewayProxyEvent, APIGatewayProxyResult>(handle).use({
    // The request's id names every line it logs, refusals too, as `correlation_id`.
    before: (request) => logger.setCorrelationId(request.event.requestContext.requestId),
  });
  // No origin configured: no CORS header, so browsers let no other origin read an answer.
  if (httpEnv.CORS_ALLOWED_ORIGINS.length > 0) {
    handler.use(
      httpCors({
        origins: httpEnv.CORS_ALLOWED_ORIGINS,
        // API Gateway adds x-amzn-RequestId: the correlation id of what the request sets off.
        exposeHeaders: 'ETag,Location,Retry-After,x-amzn-RequestId',
      }),
    );
  }
  return handler.use(errorEnvelope());
}

/**
 * `httpHandler` for routes whose services are composed per tenant: each route also receives
 * the services of the tenant its verified token names.
 */
export function scopedHttpHandler<D>(scope: TenantScope<D>) {
  return <B = undefined, Q = Record<string, never>, P = Record<string, never>>(
    schemas: RequestSchemas<B, Q, P>,
    route: (request: HttpRequest<B, Q, P>, services: D) => Promise<HttpResponse>,
  ): ApiHandler =>
    httpHandler(schemas, async (request) => route(request, await scope(request.tenant.tenantId)));
}

/** Maps every failure to the documented envelope. Unknown errors never leak their text. */
function errorEnvelope(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  return {
    onError: (request) => {
      const requestId = request.event.requestContext?.requestId ?? request.context.awsRequestId;
      const error = request.error;
      if (error instanceof AppError) {
        if (error.status >= 500) logger.error('request failed upstream', { code: error.code, error });
        else logger.info('request refused', { code: error.code, status: error.status });
        request.response = {
          statusCode: error.status,
          headers: {
            'content-type': 'application/json',
            ...(error.retryAfterSeconds === undefined
              ? {}
              : { 'retry-after': String(error.retryAfterSeconds) }),
          },
          body: JSON.stringify(toErrorEnvelope(error, requestId)),
        };
        return;
      }
      logger.error('unexpected error', { error });
      const { status, code, message } = GATEWAY_ERRORS.internal;
      request.response = {
        statusCode: status,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(toErrorEnvelope(new AppError(code, message), requestId)),
      };
    },
  };
}

function readJsonBody(event: APIGatewayProxyEvent): unknown {
  if (event.body === null || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new ValidationError(`The body is larger than ${MAX_BODY_BYTES} bytes.`, [
      { field: 'body', message: 'too large' },
    ]);
  }
  const contentType = lowerCaseHeaders(event.headers)['content-type'] ?? '';
  if (!/^application\/json\b/i.test(contentType)) {
    throw new ValidationError(
      'The body must be JSON.',
      [{ field: 'body', message: 'content-type' }],
      'Send Content-Type: application/json.',
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('The body is not valid JSON.', [{ field: 'body', message: 'malformed JSON' }]);
  }
}

function validate<T>(schema: z.ZodType<T> | undefined, input: unknown, where: 'body' | 'query' | 'path'): T {
  // A route without a schema for a part takes nothing there; a body it did not ask for is refused.
  const effective = schema ?? (where === 'body' ? z.undefined() : z.object({}));
  const result = effective.safeParse(input);
  if (result.success) return result.data as T;
  throw new ValidationError(`The request ${where} is invalid.`, fieldIssuesOf(result.error, where));
}

function lowerCaseHeaders(headers: APIGatewayProxyEvent['headers'] | null): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) result[name.toLowerCase()] = value;
  }
  return result;
}
