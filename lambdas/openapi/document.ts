import * as z from 'zod';
import { ERROR_STATUS, type ErrorCode } from '../core/errors';
import { API_FUNCTIONS, type ApiFunctionName, type ApiRoute } from '../routes';

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

/** How each function's routes are grouped in the document. */
const TAGS: Record<ApiFunctionName, string> = {
  'aws-env': "The backend's own AWS identity, checked against the account customers' roles trust",
  onboarding: 'External IDs, the customer templates and quick-create links, and the permissions manifest',
  integrations: 'Role tests, integrations, their syncs and status, and the mirror of folders and connections',
  workspaces: 'The connections each workspace may use',
  openapi: 'This description',
};

const RETRYABLE_STATUSES = new Set([429, 503]);

/** The codes a route may answer: its own, and those every route of its kind may. */
export function documentedErrors(route: ApiRoute): ErrorCode[] {
  const takesInput = Boolean(route.request?.body ?? route.request?.path ?? route.request?.query);
  const codes: ErrorCode[] = [
    ...(takesInput ? (['VALIDATION_FAILED'] as const) : []),
    ...(route.public ? [] : (['UNAUTHENTICATED'] as const)),
    ...(route.errors ?? []),
    // The stage's throttling answers any route before its function runs.
    'RATE_LIMITED',
    'INTERNAL_ERROR',
  ];
  return [...new Set(codes)];
}

/** The route's codes, by the status each answers. */
function errorsByStatus(route: ApiRoute): Map<number, ErrorCode[]> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of documentedErrors(route)) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}

/** API Gateway's id of the request, on every answer. */
const REQUEST_ID_HEADER = { 'x-amzn-RequestId': { $ref: '#/components/headers/RequestId' } };

function errorResponse(status: number, codes: readonly ErrorCode[]) {
  return {
    description: `The error envelope, with \`error.code\` one of: ${codes.map((code) => `\`${code}\``).join(', ')}.`,
    headers: {
      ...REQUEST_ID_HEADER,
      ...(RETRYABLE_STATUSES.has(status)
        ? { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } }
        : {}),
    },
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
  };
}

function successResponse(route: ApiRoute) {
  const { response } = route;
  const headers = {
    ...REQUEST_ID_HEADER,
    ...Object.fromEntries(
      (response.headers ?? []).map((name) => [name, { $ref: `#/components/headers/${name}` }]),
    ),
  };
  const content = response.schema
    ? { 'application/json': { schema: jsonSchema(response.schema, 'output') } }
    : response.mediaType
      ? { [response.mediaType]: { schema: { type: 'string' } } }
      : undefined;
  return {
    description: route.summary,
    headers,
    ...(content ? { content } : {}),
  };
}

function operation(route: ApiRoute) {
  const { request } = route;
  const headerParameters = (route.requestHeaders ?? []).map((name) => ({
    $ref: `#/components/parameters/${name.replace('-', '')}`,
  }));
  const responses: Record<string, unknown> = { [String(route.response.status)]: successResponse(route) };
  for (const [status, codes] of errorsByStatus(route))
    responses[String(status)] = errorResponse(status, codes);
  return {
    tags: [route.function],
    summary: route.summary,
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/[/.-](\w)/g, (_, c: string) => c.toUpperCase())}`,
    ...(route.public ? { security: [] } : {}),
    parameters: [
      ...parameters(request?.path, 'path'),
      ...parameters(request?.query, 'query'),
      ...headerParameters,
    ],
    ...(request?.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(request.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** The API's version in its document; a breaking change would be a new path prefix. */
export const API_DOCUMENT_VERSION = '1.0.0';

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
      description:
        "Connect customers' AWS accounts and Organizations to the platform. Every route but this description takes a bearer JWT that names the tenant; another tenant's resources answer 404.",
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com/live',
        description: 'A deployment: the stack output ApiUrl',
        variables: {
          apiId: { default: 'abc123defg', description: 'The REST API id' },
          region: { default: 'us-east-1', description: 'The region deployed to' },
        },
      },
      { url: 'http://127.0.0.1:3000', description: 'The local runtime (npm start)' },
    ],
    security: [{ bearer: [] }],
    tags: API_FUNCTIONS.map((name) => ({ name, description: TAGS[name] })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { ErrorEnvelope: jsonSchema(errorEnvelopeSchema, 'output') },
      headers: {
        ETag: {
          description: "The resource's version, quoted: send it back as If-Match to change the resource.",
          schema: { type: 'string' },
        },
        Location: {
          description: 'Where the created resource, or the status of the accepted work, is read.',
          schema: { type: 'string' },
        },
        RetryAfter: {
          description: 'Seconds to wait before trying again.',
          schema: { type: 'integer', minimum: 1 },
        },
        RequestId: {
          description:
            "API Gateway's id of the request, as `error.requestId` in an error. The events the request causes and the sync run it starts carry it as their correlation id, and so does every log line of them.",
          schema: { type: 'string' },
        },
      },
      parameters: {
        IfMatch: {
          name: 'If-Match',
          in: 'header',
          required: true,
          description:
            'The ETag last read: the change applies only to that version (else 412 VERSION_CONFLICT).',
          schema: { type: 'string' },
        },
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'The same key and body within a day answer the first 201 again; the same key with another body answers 422 IDEMPOTENCY_KEY_REUSED.',
          schema: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' },
        },
      },
    },
  };
}
