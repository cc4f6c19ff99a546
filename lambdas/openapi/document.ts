import * as z from 'zod';
import { ERROR_STATUS } from '../core/errors';
import type { ApiRoute } from '../routes';

const errorEnvelopeSchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS]),
    message: z.string(),
    hint: z.string().optional(),
    details: z.unknown().optional(),
    requestId: z.string(),
  }),
});

type JsonSchema = Record<string, unknown>;

/** Requests are described as clients write them (defaults optional), answers as they arrive. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest;
}

function parameters(schema: z.ZodObject | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const { properties = {}, required = [] } = jsonSchema(schema, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.includes(name),
    schema: property,
  }));
}

function operation(route: ApiRoute) {
  const { request, response } = route;
  const content = response.schema
    ? { 'application/json': { schema: jsonSchema(response.schema, 'output') } }
    : { [response.mediaType ?? 'application/json']: {} };
  return {
    summary: route.summary,
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/[/.-](\w)/g, (_, c: string) => c.toUpperCase())}`,
    parameters: [...parameters(request?.path, 'path'), ...parameters(request?.query, 'query')],
    ...(request?.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(request.body, 'input') } },
          },
        }
      : {}),
    responses: {
      [String(response.status)]: { description: 'Success', content },
      default: {
        description: 'An error with a stable code; docs/api.md lists every code.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
      },
    },
  };
}

/** The OpenAPI 3.1 document of the REST API, generated from the routes and their zod schemas. */
export function buildOpenApiDocument(routes: readonly ApiRoute[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'aws-org-connections',
      version,
      description: "Connect customers' AWS accounts and Organizations to the platform.",
    },
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { ErrorEnvelope: jsonSchema(errorEnvelopeSchema, 'output') },
    },
  };
}
