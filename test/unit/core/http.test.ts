import * as z from 'zod';
import { AppError, UpstreamThrottledError } from '../../../lambdas/core/errors';
import { httpHandler, MAX_BODY_BYTES, scopedHttpHandler } from '../../../lambdas/core/http';
import { lambdaContext, proxyEvent, TENANT_A } from '../../fixtures/api-gateway';

const echoTenant = httpHandler({}, async (request) => ({
  status: 200,
  body: { tenantId: request.tenant.tenantId, correlationId: request.tenant.correlationId },
}));

const createThing = httpHandler(
  { body: z.strictObject({ name: z.string().min(1), size: z.number().int() }) },
  async (request) => ({ status: 201, body: request.body, headers: { location: '/v1/things/1' } }),
);

function parse(result: { body: string }) {
  return JSON.parse(result.body);
}

const jsonHeaders = { 'Content-Type': 'application/json' };

describe('httpHandler', () => {
  it('hands the route the tenant from the verified authorizer context', async () => {
    const result = await echoTenant(proxyEvent(), lambdaContext);

    expect(result.statusCode).toBe(200);
    // What the request sets off carries API Gateway's id of it.
    expect(parse(result)).toEqual({ tenantId: TENANT_A.tenantId, correlationId: 'req-1' });
  });

  it('ignores a tenant sent in a header or in the body', async () => {
    const event = proxyEvent({ headers: { 'X-Tenant-Id': 'tenant-b', 'x-tenant-id': 'tenant-b' } });

    const result = await echoTenant(event, lambdaContext);

    expect(parse(result)).toEqual({ tenantId: 'tenant-a', correlationId: 'req-1' });
  });

  it('answers 401 UNAUTHENTICATED when the authorizer context is missing', async () => {
    const result = await echoTenant(proxyEvent({}, null), lambdaContext);

    expect(result.statusCode).toBe(401);
    expect(parse(result).error).toMatchObject({ code: 'UNAUTHENTICATED', requestId: 'req-1' });
  });

  it('passes a valid body through and sets the route headers', async () => {
    const event = proxyEvent({ httpMethod: 'POST', headers: jsonHeaders, body: '{"name":"a","size":2}' });

    const result = await createThing(event, lambdaContext);

    expect(result.statusCode).toBe(201);
    expect(result.headers).toMatchObject({ location: '/v1/things/1', 'content-type': 'application/json' });
    expect(parse(result)).toEqual({ name: 'a', size: 2 });
  });

  it('answers VALIDATION_FAILED naming each bad field', async () => {
    const event = proxyEvent({ headers: jsonHeaders, body: '{"name":"","size":"big","extra":1}' });

    const result = await createThing(event, lambdaContext);

    expect(result.statusCode).toBe(400);
    const { error } = parse(result);
    expect(error.code).toBe('VALIDATION_FAILED');
    const fields = error.details.issues.map((issue: { field: string }) => issue.field);
    expect(fields).toEqual(expect.arrayContaining(['body.name', 'body.size', 'body']));
  });

  it('refuses malformed JSON', async () => {
    const result = await createThing(proxyEvent({ headers: jsonHeaders, body: '{"name":' }), lambdaContext);

    expect(result.statusCode).toBe(400);
    expect(parse(result).error.message).toBe('The body is not valid JSON.');
  });

  it('refuses a body that is not declared as JSON', async () => {
    const event = proxyEvent({ headers: { 'content-type': 'text/plain' }, body: '{"name":"a","size":1}' });

    const result = await createThing(event, lambdaContext);

    expect(parse(result).error).toMatchObject({
      code: 'VALIDATION_FAILED',
      hint: 'Send Content-Type: application/json.',
    });
  });

  it('refuses a body over the size limit before parsing it', async () => {
    const body = JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES), size: 1 });

    const result = await createThing(proxyEvent({ headers: jsonHeaders, body }), lambdaContext);

    expect(result.statusCode).toBe(400);
    expect(parse(result).error.details.issues).toEqual([{ field: 'body', message: 'too large' }]);
  });

  it('refuses a body on a route that takes none', async () => {
    const result = await echoTenant(proxyEvent({ headers: jsonHeaders, body: '{}' }), lambdaContext);

    expect(result.statusCode).toBe(400);
  });

  it('maps an AppError to its status, code and hint, with Retry-After when retryable', async () => {
    const throttled = httpHandler({}, async () => {
      throw new UpstreamThrottledError('AWS STS', undefined, 7);
    });

    const result = await throttled(proxyEvent(), lambdaContext);

    expect(result.statusCode).toBe(429);
    expect(result.headers).toMatchObject({ 'retry-after': '7' });
    expect(parse(result).error).toMatchObject({ code: 'UPSTREAM_THROTTLED', hint: expect.any(String) });
  });

  it('answers an unknown error with a generic 500 that leaks nothing', async () => {
    const failing = httpHandler({}, async () => {
      throw new Error('connection string postgres://secret@db');
    });

    const result = await failing(proxyEvent(), lambdaContext);

    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('secret');
    expect(parse(result).error).toEqual({
      code: 'INTERNAL_ERROR',
      message: 'Something went wrong on our side.',
      requestId: 'req-1',
    });
  });

  it('adds CORS headers to answers and to errors', async () => {
    const failing = httpHandler({}, async () => {
      throw new AppError('NOT_FOUND', 'gone');
    });

    const ok = await echoTenant(
      proxyEvent({ headers: { origin: 'https://app.example.com' } }),
      lambdaContext,
    );
    const notFound = await failing(
      proxyEvent({ headers: { origin: 'https://app.example.com' } }),
      lambdaContext,
    );

    expect(ok.headers?.['Access-Control-Allow-Origin']).toBe('*');
    expect(notFound.headers?.['Access-Control-Allow-Origin']).toBe('*');
  });
});

describe('scopedHttpHandler', () => {
  it('hands the route the services of the verified tenant, whatever the request claims', async () => {
    const scopedTo: string[] = [];
    const route = scopedHttpHandler(async (tenantId) => {
      scopedTo.push(tenantId);
      return { owner: tenantId };
    });
    const handler = route({}, async (_request, services) => ({ status: 200, body: services }));
    const event = proxyEvent({ headers: { 'x-tenant-id': 'tenant-b' } });

    const result = await handler(event, lambdaContext);

    expect(parse(result)).toEqual({ owner: TENANT_A.tenantId });
    expect(scopedTo).toEqual([TENANT_A.tenantId]);
  });

  it('composes nothing for a request without a verified tenant', async () => {
    const scope = jest.fn(async () => ({}));
    const handler = scopedHttpHandler(scope)({}, async () => ({ status: 200 }));

    const result = await handler(proxyEvent({}, null), lambdaContext);

    expect(result.statusCode).toBe(401);
    expect(scope).not.toHaveBeenCalled();
  });
});
