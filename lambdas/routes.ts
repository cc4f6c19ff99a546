import * as z from 'zod';
import { eventsQuerySchema, integrationEventListSchema } from '../schemas/api/activity';
import { auditListSchema, auditQuerySchema } from '../schemas/api/audit';
import { envCheckSchema } from '../schemas/api/aws-env';
import { listQuerySchema } from '../schemas/api/common';
import {
  createIntegrationSchema,
  deleteIntegrationQuerySchema,
  deletionAcceptedSchema,
  integrationListSchema,
  integrationPathSchema,
  integrationSchema,
  integrationTestSchema,
  modifyIntegrationSchema,
} from '../schemas/api/integrations';
import { connectionPathSchema, folderPathSchema, modifyNodeSchema } from '../schemas/api/nodes';
import {
  onboardingQuerySchema,
  onboardingSchema,
  permissionsManifestSchema,
  templatePathSchema,
  templateQuerySchema,
} from '../schemas/api/onboarding';
import { roleTestReportSchema, roleTestRequestSchema } from '../schemas/api/role-test';
import { workspaceConnectionListSchema, workspacePathSchema } from '../schemas/api/workspaces';
import {
  connectionSchema,
  connectionViewSchema,
  folderSchema,
  integrationStatusReportSchema,
  startSyncQuerySchema,
  syncAcceptedSchema,
  syncRunListSchema,
  treePageSchema,
} from '../schemas/sync';
import type { ErrorCode } from './core/errors';

/**
 * Every REST route, the function that serves it and its schemas. The CDK stack builds API
 * Gateway from this list, the local server routes by it, and the OpenAPI document is generated
 * from it, so the three cannot drift apart.
 */
export const API_FUNCTIONS = ['aws-env', 'onboarding', 'integrations', 'workspaces', 'openapi'] as const;

export type ApiFunctionName = (typeof API_FUNCTIONS)[number];

export interface ApiRoute {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** API Gateway resource path, with `{name}` path parameters. */
  readonly path: string;
  readonly function: ApiFunctionName;
  readonly summary: string;
  readonly request?: {
    readonly body?: z.ZodType;
    readonly query?: z.ZodObject;
    readonly path?: z.ZodObject;
  };
  /** The answer on success: JSON described by `schema`, or a document of `mediaType`, and its headers. */
  readonly response: {
    readonly status: number;
    readonly schema?: z.ZodType;
    readonly mediaType?: string;
    readonly headers?: readonly ('ETag' | 'Location')[];
  };
  /** `If-Match` is required where named; `Idempotency-Key` is optional. */
  readonly requestHeaders?: readonly ('If-Match' | 'Idempotency-Key')[];
  /**
   * The error codes this route answers besides those every route may: `UNAUTHENTICATED` (unless
   * public), `VALIDATION_FAILED` (when it takes input) and `INTERNAL_ERROR`.
   */
  readonly errors?: readonly ErrorCode[];
  /** Answered without a token: only the API's own description. */
  readonly public?: true;
}

/** What a role test may answer: the role's verdicts, and the budgets and upstreams it spends. */
const ROLE_TEST_ERRORS: readonly ErrorCode[] = [
  'INVALID_ROLE_ARN',
  'UNSUPPORTED_PARTITION',
  'ROLE_NOT_ASSUMABLE',
  'EXTERNAL_ID_NOT_ENFORCED',
  'ACCOUNT_MISMATCH',
  'MISSING_PERMISSIONS',
  'NOT_MANAGEMENT_OR_DELEGATED_ADMIN',
  'RATE_LIMITED',
  'UPSTREAM_THROTTLED',
  'UPSTREAM_UNAVAILABLE',
];

/** The platform's AWS side, onboarding, and role tests. */
const AWS_ROUTES = [
  {
    method: 'GET',
    path: '/v1/aws/env',
    function: 'aws-env',
    summary: "Is the backend's own AWS identity configured?",
    response: { status: 200, schema: envCheckSchema },
  },
  {
    method: 'GET',
    path: '/v1/aws/onboarding',
    function: 'onboarding',
    summary:
      "A scope's External ID (?scope=tenant|org:<orgId>), the trusted account, template and quick-create links",
    request: { query: onboardingQuerySchema },
    response: { status: 200, schema: onboardingSchema },
    errors: ['FORBIDDEN'],
  },
  {
    method: 'POST',
    path: '/v1/aws/onboarding/external-id',
    function: 'onboarding',
    summary: "Rotate a scope's External ID (the tenant's: tenant owners; an org's: its members too)",
    request: { query: onboardingQuerySchema },
    response: { status: 200, schema: onboardingSchema },
    errors: ['FORBIDDEN'],
  },
  {
    method: 'GET',
    path: '/v1/aws/templates/{name}',
    function: 'onboarding',
    summary: "A CloudFormation template with the caller's values as parameter defaults",
    request: { path: templatePathSchema, query: templateQuerySchema },
    response: { status: 200, mediaType: 'application/yaml' },
    errors: ['FORBIDDEN'],
  },
  {
    method: 'GET',
    path: '/v1/aws/permissions',
    function: 'onboarding',
    summary: 'The actions each customer role needs and why, and the current template versions',
    response: { status: 200, schema: permissionsManifestSchema },
  },
  {
    method: 'POST',
    path: '/v1/aws/test-connection',
    function: 'integrations',
    summary: 'Test a role without storing anything; a failure carries the report in error.details',
    request: { body: roleTestRequestSchema },
    response: { status: 200, schema: roleTestReportSchema },
    errors: ['FORBIDDEN', ...ROLE_TEST_ERRORS],
  },
] as const satisfies readonly ApiRoute[];

/** Integrations, their mirrors and audit, the workspaces' read model, and this document. */
const INTEGRATION_ROUTES = [
  {
    method: 'POST',
    path: '/v1/integrations',
    function: 'integrations',
    summary: 'Test the role and register an integration',
    request: { body: createIntegrationSchema },
    response: { status: 201, schema: integrationSchema, headers: ['Location', 'ETag'] },
    requestHeaders: ['Idempotency-Key'],
    errors: [
      'FORBIDDEN',
      'HANDLE_TAKEN',
      'ROLE_ALREADY_CONNECTED',
      'LIMIT_EXCEEDED',
      'IDEMPOTENCY_KEY_REUSED',
      ...ROLE_TEST_ERRORS,
    ],
  },
  {
    method: 'GET',
    path: '/v1/integrations',
    function: 'integrations',
    summary: 'The integrations the caller may see, a page at a time',
    request: { query: listQuerySchema },
    response: { status: 200, schema: integrationListSchema },
  },
  {
    method: 'GET',
    path: '/v1/integrations/{id}',
    function: 'integrations',
    summary: 'One integration',
    request: { path: integrationPathSchema },
    response: { status: 200, schema: integrationSchema, headers: ['ETag'] },
    errors: ['NOT_FOUND', 'FORBIDDEN'],
  },
  {
    method: 'PATCH',
    path: '/v1/integrations/{id}',
    function: 'integrations',
    summary:
      'Change an integration (needs If-Match: its version). New roles are tested first; a change to what the mirror is built from re-syncs',
    request: { path: integrationPathSchema, body: modifyIntegrationSchema },
    response: { status: 200, schema: integrationSchema, headers: ['ETag'] },
    requestHeaders: ['If-Match'],
    errors: [
      'NOT_FOUND',
      'FORBIDDEN',
      'VERSION_CONFLICT',
      'HANDLE_TAKEN',
      'ROLE_ALREADY_CONNECTED',
      'SYNC_IN_PROGRESS',
      ...ROLE_TEST_ERRORS,
    ],
  },
  {
    method: 'DELETE',
    path: '/v1/integrations/{id}',
    function: 'integrations',
    summary:
      'Delete an integration: `?confirm=<its handle>`. Removes every folder and connection with events, then the integration',
    request: { path: integrationPathSchema, query: deleteIntegrationQuerySchema },
    response: { status: 202, schema: deletionAcceptedSchema, headers: ['Location'] },
    errors: ['NOT_FOUND', 'FORBIDDEN', 'CONFIRMATION_REQUIRED', 'SYNC_IN_PROGRESS'],
  },
  {
    method: 'POST',
    path: '/v1/integrations/{id}/test',
    function: 'integrations',
    summary: 'Test the stored roles again; when they pass, start a check of every member role',
    request: { path: integrationPathSchema },
    response: { status: 200, schema: integrationTestSchema },
    errors: ['NOT_FOUND', 'FORBIDDEN', 'SYNC_IN_PROGRESS', ...ROLE_TEST_ERRORS],
  },
  {
    method: 'POST',
    path: '/v1/integrations/{id}/sync',
    function: 'integrations',
    summary: 'Start a sync now, or fold the request into a follow-up of the running one',
    request: { path: integrationPathSchema, query: startSyncQuerySchema },
    response: { status: 202, schema: syncAcceptedSchema, headers: ['Location'] },
    errors: ['NOT_FOUND', 'FORBIDDEN', 'SYNC_IN_PROGRESS', 'RATE_LIMITED', 'UPSTREAM_UNAVAILABLE'],
  },
  {
    method: 'GET',
    path: '/v1/integrations/{id}/status',
    function: 'integrations',
    summary: 'Status, last error, the current and last run, counts, and the last member role check',
    request: { path: integrationPathSchema },
    response: { status: 200, schema: integrationStatusReportSchema },
    errors: ['NOT_FOUND', 'FORBIDDEN'],
  },
  {
    method: 'GET',
    path: '/v1/integrations/{id}/runs',
    function: 'integrations',
    summary: 'Sync runs, newest first, a page at a time',
    request: { path: integrationPathSchema, query: listQuerySchema },
    response: { status: 200, schema: syncRunListSchema },
    errors: ['NOT_FOUND', 'FORBIDDEN'],
  },
  {
    method: 'GET',
    path: '/v1/integrations/{id}/tree',
    function: 'integrations',
    summary: 'Folders and connections, flat with parent ids, a page at a time',
    request: { path: integrationPathSchema, query: listQuerySchema },
    response: { status: 200, schema: treePageSchema },
    errors: ['NOT_FOUND', 'FORBIDDEN'],
  },
  {
    method: 'GET',
    path: '/v1/integrations/{id}/events',
    function: 'integrations',
    summary:
      'The change events the integration published, from the outbox (14 days): forward from afterSequence, or newest first',
    request: { path: integrationPathSchema, query: eventsQuerySchema },
    response: { status: 200, schema: integrationEventListSchema },
    errors: ['NOT_FOUND', 'FORBIDDEN'],
  },
  {
    method: 'GET',
    path: '/v1/integrations/{id}/folders/{ouId}',
    function: 'integrations',
    summary: 'One folder, with its overrides and its effective settings and their sources',
    request: { path: folderPathSchema },
    response: { status: 200, schema: folderSchema, headers: ['ETag'] },
    errors: ['NOT_FOUND', 'FORBIDDEN'],
  },
  {
    method: 'PATCH',
    path: '/v1/integrations/{id}/folders/{ouId}',
    function: 'integrations',
    summary: "Change a folder's handle or overrides (If-Match); its subtree inherits them",
    request: { path: folderPathSchema, body: modifyNodeSchema },
    response: { status: 200, schema: folderSchema, headers: ['ETag'] },
    requestHeaders: ['If-Match'],
    errors: ['NOT_FOUND', 'FORBIDDEN', 'VERSION_CONFLICT', 'HANDLE_TAKEN', 'SYNC_IN_PROGRESS'],
  },
  {
    method: 'GET',
    path: '/v1/integrations/{id}/connections/{accountId}',
    function: 'integrations',
    summary:
      "One connection, with its overrides, its effective settings and their sources, and its member role's health",
    request: { path: connectionPathSchema },
    response: { status: 200, schema: connectionViewSchema, headers: ['ETag'] },
    errors: ['NOT_FOUND', 'FORBIDDEN'],
  },
  {
    method: 'PATCH',
    path: '/v1/integrations/{id}/connections/{accountId}',
    function: 'integrations',
    summary: "Change a connection's handle or overrides (If-Match)",
    request: { path: connectionPathSchema, body: modifyNodeSchema },
    response: { status: 200, schema: connectionSchema, headers: ['ETag'] },
    requestHeaders: ['If-Match'],
    errors: ['NOT_FOUND', 'FORBIDDEN', 'VERSION_CONFLICT', 'HANDLE_TAKEN', 'SYNC_IN_PROGRESS'],
  },
  {
    method: 'POST',
    path: '/v1/integrations/{id}/connections/{accountId}/approve',
    function: 'integrations',
    summary: 'Release a connection held for approval: it is shared as its folder says',
    request: { path: connectionPathSchema },
    response: { status: 200, schema: connectionSchema, headers: ['ETag'] },
    errors: ['NOT_FOUND', 'FORBIDDEN', 'SYNC_IN_PROGRESS'],
  },
  {
    method: 'POST',
    path: '/v1/integrations/{id}/connections/{accountId}/reject',
    function: 'integrations',
    summary: 'Keep a held account out: the scope filters exclude it, and its connection goes',
    request: { path: connectionPathSchema },
    response: { status: 204 },
    errors: ['NOT_FOUND', 'FORBIDDEN', 'CONNECTION_NOT_HELD', 'SYNC_IN_PROGRESS'],
  },
  {
    method: 'GET',
    path: '/v1/audit',
    function: 'integrations',
    summary:
      "Who changed what through the API, newest first: the tenant's entries for its owners, an org's for its members",
    request: { query: auditQuerySchema },
    response: { status: 200, schema: auditListSchema },
    errors: ['NOT_FOUND', 'FORBIDDEN'],
  },
  {
    method: 'GET',
    path: '/v1/workspaces/{workspaceId}/connections',
    function: 'workspaces',
    summary: 'The connections a workspace may use (shared with it, or with all workspaces)',
    request: { path: workspacePathSchema, query: listQuerySchema },
    response: { status: 200, schema: workspaceConnectionListSchema },
  },
  {
    method: 'GET',
    path: '/v1/openapi.json',
    function: 'openapi',
    summary: 'This document',
    response: {
      status: 200,
      schema: z.looseObject({ openapi: z.string() }).meta({ description: 'An OpenAPI 3.1 document' }),
    },
    public: true,
  },
] as const satisfies readonly ApiRoute[];

const ROUTES = [...AWS_ROUTES, ...INTEGRATION_ROUTES] as const;

export const API_ROUTES: readonly ApiRoute[] = ROUTES;

type Route = (typeof ROUTES)[number];
type KeyOf<R> = R extends { readonly method: infer M extends string; readonly path: infer P extends string }
  ? `${M} ${P}`
  : never;

/** A route's key, as API Gateway names it to the function: `GET /v1/integrations/{id}`. */
export type ApiRouteKey = KeyOf<Route>;

type RouteAt<K extends ApiRouteKey> = Route extends infer R
  ? R extends unknown
    ? KeyOf<R> extends K
      ? R
      : never
    : never
  : never;
type PartOf<K extends ApiRouteKey, Part extends 'body' | 'query' | 'path', Otherwise> =
  RouteAt<K> extends { readonly request: { readonly [P in Part]: infer S extends z.ZodType } }
    ? z.output<S>
    : Otherwise;

/** What a route takes, as its schemas above validate it: nothing where it names no schema. */
export interface RouteInput<K extends ApiRouteKey> {
  readonly body: PartOf<K, 'body', undefined>;
  readonly query: PartOf<K, 'query', Record<string, never>>;
  readonly path: PartOf<K, 'path', Record<string, never>>;
}

/** Where each deployed function's module lives: `lambdas/functions/<name>.ts`, exporting `handler`. */
export function handlerEntry(name: string): string {
  return `lambdas/functions/${name}.ts`;
}
