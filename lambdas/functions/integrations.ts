import { eventsQuerySchema } from '../../schemas/api/activity';
import { listQuerySchema } from '../../schemas/api/common';
import {
  createIntegrationSchema,
  deleteIntegrationQuerySchema,
  integrationPathSchema,
  integrationSchema,
  modifyIntegrationSchema,
} from '../../schemas/api/integrations';
import { connectionPathSchema, folderPathSchema, modifyNodeSchema } from '../../schemas/api/nodes';
import { roleTestRequestSchema } from '../../schemas/api/role-test';
import { envSchema, SYNC_ENV } from '../../schemas/environment';
import { startSyncQuerySchema } from '../../schemas/sync';
import { composeIntegrationsApi, type IntegrationsApi } from '../composition/integrations';
import { awsSyncClients } from '../composition/sync';
import { perTenant } from '../composition/tenant-table';
import { loadEnv } from '../core/env';
import { httpRoutes, scopedHttpHandler } from '../core/http';
import { functionMetrics } from '../core/metrics';
import type { TenantScope } from '../core/tenant-context';
import { DEFAULT_FAIR_USE } from '../integrations/fair-use';
import { onceFor } from '../integrations/idempotency';

/**
 * POST /v1/aws/test-connection, POST and GET /v1/integrations, GET /v1/integrations/{id}, and
 * the integration's sync, status, runs, tree and events.
 */
export function createHandler(scope: TenantScope<IntegrationsApi>) {
  const route = scopedHttpHandler(scope);
  const path = integrationPathSchema;
  return httpRoutes({
    'POST /v1/aws/test-connection': route(
      { body: roleTestRequestSchema },
      async ({ tenant, body }, { service }) => ({
        status: 200,
        body: await service.testConnection(tenant, body),
      }),
    ),
    'POST /v1/integrations': route(
      { body: createIntegrationSchema },
      async ({ tenant, body, headers }, { service, idempotency }) => {
        const request = {
          tenantId: tenant.tenantId,
          subject: tenant.subject,
          key: headers['idempotency-key'],
          body,
          answer: integrationSchema,
        };
        const integration = await onceFor(idempotency, request, () => service.create(tenant, body));
        return {
          status: 201,
          body: integration,
          headers: { location: `/v1/integrations/${integration.id}`, etag: `"${integration.version}"` },
        };
      },
    ),
    'GET /v1/integrations': route({ query: listQuerySchema }, async ({ tenant, query }, { service }) => ({
      status: 200,
      body: await service.list(tenant, query),
    })),
    'GET /v1/integrations/{id}': route({ path }, async ({ tenant, path }, { service }) =>
      withEtag(await service.get(tenant, path.id)),
    ),
    'PATCH /v1/integrations/{id}': route(
      { path, body: modifyIntegrationSchema },
      async ({ tenant, path, body, headers }, { service }) =>
        withEtag(await service.modify(tenant, path.id, headers['if-match'], body)),
    ),
    'DELETE /v1/integrations/{id}': route(
      { path, query: deleteIntegrationQuerySchema },
      async ({ tenant, path, query }, { service }) => ({
        status: 202,
        body: await service.remove(tenant, path.id, query.confirm),
        headers: { location: `/v1/integrations/${path.id}/status` },
      }),
    ),
    'POST /v1/integrations/{id}/test': route({ path }, async ({ tenant, path }, { operations }) => ({
      status: 200,
      body: await operations.test(tenant, path.id),
    })),
    'POST /v1/integrations/{id}/sync': route(
      { path, query: startSyncQuerySchema },
      async ({ tenant, path, query }, { operations }) => {
        const accepted = await operations.startSync(tenant, path.id, query.confirmDeletions);
        return {
          status: 202,
          body: accepted,
          headers: { location: `/v1/integrations/${path.id}/status` },
        };
      },
    ),
    'GET /v1/integrations/{id}/status': route({ path }, async ({ tenant, path }, { operations }) => ({
      status: 200,
      body: await operations.status(tenant, path.id),
    })),
    'GET /v1/integrations/{id}/runs': route(
      { path, query: listQuerySchema },
      async ({ tenant, path, query }, { operations }) => ({
        status: 200,
        body: await operations.runs(tenant, path.id, query),
      }),
    ),
    'GET /v1/integrations/{id}/tree': route(
      { path, query: listQuerySchema },
      async ({ tenant, path, query }, { operations }) => ({
        status: 200,
        body: await operations.tree(tenant, path.id, query),
      }),
    ),
    'GET /v1/integrations/{id}/events': route(
      { path, query: eventsQuerySchema },
      async ({ tenant, path, query }, { operations }) => ({
        status: 200,
        body: await operations.events(tenant, path.id, query),
      }),
    ),
    'GET /v1/integrations/{id}/folders/{ouId}': route(
      { path: folderPathSchema },
      async ({ tenant, path }, { nodes }) => withEtag(await nodes.get(tenant, path.id, 'folder', path.ouId)),
    ),
    'PATCH /v1/integrations/{id}/folders/{ouId}': route(
      { path: folderPathSchema, body: modifyNodeSchema },
      async ({ tenant, path, body, headers }, { nodes }) =>
        withEtag(await nodes.modify(tenant, path.id, 'folder', path.ouId, headers['if-match'], body)),
    ),
    'GET /v1/integrations/{id}/connections/{accountId}': route(
      { path: connectionPathSchema },
      async ({ tenant, path }, { nodes }) =>
        withEtag(await nodes.get(tenant, path.id, 'connection', path.accountId)),
    ),
    'PATCH /v1/integrations/{id}/connections/{accountId}': route(
      { path: connectionPathSchema, body: modifyNodeSchema },
      async ({ tenant, path, body, headers }, { nodes }) =>
        withEtag(
          await nodes.modify(tenant, path.id, 'connection', path.accountId, headers['if-match'], body),
        ),
    ),
    'POST /v1/integrations/{id}/connections/{accountId}/approve': route(
      { path: connectionPathSchema },
      async ({ tenant, path }, { nodes }) => withEtag(await nodes.approve(tenant, path.id, path.accountId)),
    ),
    'POST /v1/integrations/{id}/connections/{accountId}/reject': route(
      { path: connectionPathSchema },
      async ({ tenant, path }, { nodes }) => {
        await nodes.reject(tenant, path.id, path.accountId);
        return { status: 204 };
      },
    ),
  });
}

/** 200 with a versioned resource and its `ETag`. */
function withEtag<T extends { readonly version: number }>(resource: T) {
  return { status: 200, body: resource, headers: { etag: `"${resource.version}"` } };
}

const env = loadEnv(
  envSchema(
    ...SYNC_ENV,
    'SYNC_INTERVAL_SECONDS',
    'TEMPLATES_BASE_URL',
    'FAIR_USE_ROLE_TESTS_PER_MINUTE',
    'FAIR_USE_SYNCS_PER_MINUTE',
    'MAX_INTEGRATIONS_PER_TENANT',
    'TENANT_TABLE_ROLE_ARN',
  ),
);
const aws = awsSyncClients(env);
const metrics = functionMetrics('integrations');

export const handler = createHandler(
  perTenant(
    (db) =>
      composeIntegrationsApi({
        ...aws,
        db,
        scheduleIntervalMs: env.SYNC_INTERVAL_SECONDS * 1000,
        templatesBaseUrl: env.TEMPLATES_BASE_URL,
        fairUse: {
          roleTestsPerMinute: env.FAIR_USE_ROLE_TESTS_PER_MINUTE ?? DEFAULT_FAIR_USE.roleTestsPerMinute,
          syncsPerMinute: env.FAIR_USE_SYNCS_PER_MINUTE ?? DEFAULT_FAIR_USE.syncsPerMinute,
          maxIntegrations: env.MAX_INTEGRATIONS_PER_TENANT ?? DEFAULT_FAIR_USE.maxIntegrations,
        },
        countRoleTest: (outcome) => metrics.count('RoleTests', 1, { outcome }),
      }),
    env.TENANT_TABLE_ROLE_ARN,
  ),
);
