import { ERROR_STATUS } from '../../../lambdas/core/errors';
import { buildOpenApiDocument } from '../../../lambdas/openapi/document';
import { API_ROUTES } from '../../../lambdas/routes';

const document = buildOpenApiDocument(API_ROUTES, '1.0.0');

type Operation = {
  parameters: Array<{ name: string; in: string; required: boolean }>;
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, unknown>;
};

function operation(method: string, path: string): Operation {
  return (document.paths[path] as Record<string, Operation>)[method] as Operation;
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with bearer authentication', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.securitySchemes.bearer).toEqual({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
  });

  it('describes every route with its success status and each error status it may answer, by code', () => {
    for (const route of API_ROUTES) {
      const described = operation(route.method.toLowerCase(), route.path);
      const statuses = Object.keys(described.responses);

      expect(statuses[0]).toBe(String(route.response.status));
      expect(statuses).toContain('500');
      expect(statuses).toContain('429');
      if (!route.public) expect(statuses).toContain('401');
      for (const code of route.errors ?? []) {
        const status = String(ERROR_STATUS[code]);
        expect({ route: route.path, code, described: described.responses[status] }).toEqual({
          route: route.path,
          code,
          described: expect.objectContaining({ description: expect.stringContaining(`\`${code}\``) }),
        });
      }
    }
  });

  it('names the headers a route answers and takes: the request id on every answer, Retry-After on retryable errors', () => {
    const create = operation('post', '/v1/integrations') as Operation & {
      responses: Record<string, { headers?: Record<string, unknown> }>;
    };
    const patch = operation('patch', '/v1/integrations/{id}');
    const requestId = { $ref: '#/components/headers/RequestId' };

    expect(Object.keys(create.responses['201']?.headers ?? {})).toEqual([
      'x-amzn-RequestId',
      'Location',
      'ETag',
    ]);
    expect(create.responses['429']?.headers).toEqual({
      'x-amzn-RequestId': requestId,
      'Retry-After': { $ref: '#/components/headers/RetryAfter' },
    });
    expect(create.responses['400']?.headers).toEqual({ 'x-amzn-RequestId': requestId });
    expect(create.parameters).toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });
    expect(patch.parameters).toContainEqual({ $ref: '#/components/parameters/IfMatch' });
  });

  it('asks no token of the document itself, and one of every other route', () => {
    expect(document.security).toEqual([{ bearer: [] }]);
    expect((operation('get', '/v1/openapi.json') as { security?: unknown }).security).toEqual([]);
    expect((operation('get', '/v1/integrations') as { security?: unknown }).security).toBeUndefined();
  });

  it('generates request bodies from the zod schemas, refusing unknown fields', () => {
    const body = operation('post', '/v1/integrations').requestBody?.content['application/json']?.schema;

    expect(body?.oneOf).toEqual([
      expect.objectContaining({
        additionalProperties: false,
        required: expect.arrayContaining(['kind', 'roleArn', 'handle']),
      }),
      expect.objectContaining({
        additionalProperties: false,
        required: expect.arrayContaining(['kind', 'roleArn', 'handle']),
      }),
    ]);
  });

  it('lists path and query parameters', () => {
    expect(operation('get', '/v1/integrations/{id}').parameters).toEqual([
      expect.objectContaining({ name: 'id', in: 'path', required: true }),
    ]);
    expect(operation('get', '/v1/integrations').parameters.map((p) => [p.name, p.in, p.required])).toEqual([
      ['limit', 'query', false],
      ['cursor', 'query', false],
    ]);
  });

  it('names every error code in the envelope', () => {
    const envelope = JSON.stringify(document.components.schemas.ErrorEnvelope);

    expect(envelope).toContain('EXTERNAL_ID_NOT_ENFORCED');
    expect(envelope).toContain('UPSTREAM_THROTTLED');
  });
});
