import type * as z from 'zod';
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
  /** The answer on success: JSON described by `schema`, or a document of `mediaType`. */
  readonly response: { readonly status: number; readonly schema?: z.ZodType; readonly mediaType?: string };
}

export const API_ROUTES: readonly ApiRoute[] = [
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
  },
  {
    method: 'POST',
    path: '/v1/aws/onboarding/external-id',
    function: 'onboarding',
    summary: "Rotate a scope's External ID (the tenant's: tenant owners; an org's: its members too)",
    request: { query: onboardingQuerySchema },
    response: { status: 200, schema: onboardingSchema },
  },
  {
    method: 'GET',
    path: '/v1/aws/templates/{name}',
    function: 'onboarding',
    summary: "A CloudFormation template with the caller's values as parameter defaults",
    request: { path: templatePathSchema, query: templateQuerySchema },
    response: { status: 200, mediaType: 'application/yaml' },
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
  },
  {
    method: 'POST',
    path: '/v1/integrations',
    function: 'integrations',
    summary: 'Test the role and register an integration',
    request: { body: createIntegrationSchema },
    response: { status: 201, schema: integrationSchema },
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
    response: { status: 200, schema: integrationSchema },
  },
  {
    method: 'PATCH',
    path: '/v1/integrations/{id}',
    function: 'integrations',
    summary:
      'Change an integration (needs If-Match: its version). New roles are tested first; a change to what the mirror is built from re-syncs',
    request: { path: integrationPathSchema, body: modifyIntegrationSchema },
    response: { status: 200, schema: integrationSchema },
  },
  {
    method: 'DELETE',
    path: '/v1/integrations/{id}',
    function: 'integrations',
    summary:
      'Delete an integration: `?confirm=<its handle>`. Removes every folder and connection with events, then the integration',
    request: { path: integrationPathSchema, query: deleteIntegrationQuerySchema },
    response: { status: 202, schema: deletionAcceptedSchema },
  },
  {
    method: 'POST',
    path: '/v1/integrations/{id}/test',
    function: 'integrations',
    summary: 'Test the stored roles again; when they pass, start a check of every member role',
    request: { path: integrationPathSchema },
    response: { status: 200, schema: integrationTestSchema },
  },
  {
    method: 'POST',
    path: '/v1/integrations/{id}/sync',
    function: 'integrations',
    summary: 'Start a sync now, or fold the request into a follow-up of the running one',
    request: { path: integrationPathSchema, query: startSyncQuerySchema },
    response: { status: 202, schema: syncAcceptedSchema },
  },
  {
    method: 'GET',
    path: '/v1/integrations/{id}/status',
    function: 'integrations',
    summary: 'Status, last error, the current and last run, counts, and the last member role check',
    request: { path: integrationPathSchema },
    response: { status: 200, schema: integrationStatusReportSchema },
  },
  {
    method: 'GET',
    path: '/v1/integrations/{id}/runs',
    function: 'integrations',
    summary: 'Sync runs, newest first, a page at a time',
    request: { path: integrationPathSchema, query: listQuerySchema },
    response: { status: 200, schema: syncRunListSchema },
  },
  {
    method: 'GET',
    path: '/v1/integrations/{id}/tree',
    function: 'integrations',
    summary: 'Folders and connections, flat with parent ids, a page at a time',
    request: { path: integrationPathSchema, query: listQuerySchema },
    response: { status: 200, schema: treePageSchema },
  },
  {
    method: 'GET',
    path: '/v1/integrations/{id}/folders/{ouId}',
    function: 'integrations',
    summary: 'One folder, with its overrides and its effective settings and their sources',
    request: { path: folderPathSchema },
    response: { status: 200, schema: folderSchema },
  },
  {
    method: 'PATCH',
    path: '/v1/integrations/{id}/folders/{ouId}',
    function: 'integrations',
    summary: "Change a folder's handle or overrides (If-Match); its subtree inherits them",
    request: { path: folderPathSchema, body: modifyNodeSchema },
    response: { status: 200, schema: folderSchema },
  },
  {
    method: 'GET',
    path: '/v1/integrations/{id}/connections/{accountId}',
    function: 'integrations',
    summary:
      "One connection, with its overrides, its effective settings and their sources, and its member role's health",
    request: { path: connectionPathSchema },
    response: { status: 200, schema: connectionViewSchema },
  },
  {
    method: 'PATCH',
    path: '/v1/integrations/{id}/connections/{accountId}',
    function: 'integrations',
    summary: "Change a connection's handle or overrides (If-Match)",
    request: { path: connectionPathSchema, body: modifyNodeSchema },
    response: { status: 200, schema: connectionSchema },
  },
  {
    method: 'POST',
    path: '/v1/integrations/{id}/connections/{accountId}/approve',
    function: 'integrations',
    summary: 'Release a connection held for approval: it is shared as its folder says',
    request: { path: connectionPathSchema },
    response: { status: 200, schema: connectionSchema },
  },
  {
    method: 'POST',
    path: '/v1/integrations/{id}/connections/{accountId}/reject',
    function: 'integrations',
    summary: 'Keep a held account out: the scope filters exclude it, and its connection goes',
    request: { path: connectionPathSchema },
    response: { status: 204 },
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
    response: { status: 200, mediaType: 'application/json' },
  },
];

/** Where each function's handler lives: `lambdas/<name>/handler.ts`, exporting `handler`. */
export function handlerEntry(name: string): string {
  return `lambdas/${name}/handler.ts`;
}
