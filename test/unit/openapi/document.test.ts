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

  it('describes every route, with its success status and the error envelope', () => {
    for (const route of API_ROUTES) {
      const described = operation(route.method.toLowerCase(), route.path);
      expect(Object.keys(described.responses)).toEqual([String(route.response.status), 'default']);
    }
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
