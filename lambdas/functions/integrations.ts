import { integrationSchema } from '../../schemas/api/integrations';
import { envSchema, SYNC_ENV } from '../../schemas/environment';
import { scopedRoutes } from '../composition/api-routes';
import { composeIntegrationsApi, type IntegrationsApi } from '../composition/integrations';
import { awsSyncClients } from '../composition/sync';
import { perTenant } from '../composition/tenant-table';
import { loadEnv } from '../core/env';
import { httpRoutes } from '../core/http';
import { functionMetrics } from '../core/metrics';
import type { TenantScope } from '../core/tenant-context';
import { DEFAULT_FAIR_USE } from '../integrations/fair-use';
import { onceFor } from '../integrations/idempotency';

/**
 * POST /v1/aws/test-connection, POST and GET /v1/integrations, GET /v1/integrations/{id}, and
 * the integration's sync, status, runs, tree and events.
 */
export function createHandler(scope: TenantScope<IntegrationsApi>) {
  return httpRoutes(
    scopedRoutes(scope, {
      'POST /v1/aws/test-connection': async ({ tenant, body }, { service }) => ({
        status: 200,
        body: await service.testConnection(tenant, body),
      }),
      'POST /v1/integrations': async ({ tenant, body, headers }, { service, idempotency }) => {
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
      'GET /v1/audit': async ({ tenant, query }, { service }) => ({
        status: 200,
        body: await service.audit(tenant, query),
      }),
      'GET /v1/integrations': async ({ tenant, query }, { service }) => ({
        status: 200,
        body: await service.list(tenant, query),
      }),
      'GET /v1/integrations/{id}': async ({ tenant, path }, { service }) =>
        withEtag(await service.get(tenant, path.id)),
      'PATCH /v1/integrations/{id}': async ({ tenant, path, body, headers }, { service }) =>
        withEtag(await service.modify(tenant, path.id, headers['if-match'], body)),
      'DELETE /v1/integrations/{id}': async ({ tenant, path, query }, { service }) => ({
        status: 202,
        body: await service.remove(tenant, path.id, query.confirm),
        headers: { location: `/v1/integrations/${path.id}/status` },
      }),
      'POST /v1/integrations/{id}/test': async ({ tenant, path }, { operations }) => ({
        status: 200,
        body: await operations.test(tenant, path.id),
      }),
      'POST /v1/integrations/{id}/sync': async ({ tenant, path, query }, { operations }) => {
        const accepted = await operations.startSync(tenant, path.id, query.confirmDeletions);
        return {
          status: 202,
          body: accepted,
          headers: { location: `/v1/integrations/${path.id}/status` },
        };
      },
      'GET /v1/integrations/{id}/status': async ({ tenant, path }, { operations }) => ({
        status: 200,
        body: await operations.status(tenant, path.id),
      }),
      'GET /v1/integrations/{id}/runs': async ({ tenant, path, query }, { operations }) => ({
        status: 200,
        body: await operations.runs(tenant, path.id, query),
      }),
      'GET /v1/integrations/{id}/tree': async ({ tenant, path, query }, { operations }) => ({
        status: 200,
        body: await operations.tree(tenant, path.id, query),
      }),
      'GET /v1/integrations/{id}/events': async ({ tenant, path, query }, { operations }) => ({
        status: 200,
        body: await operations.events(tenant, path.id, query),
      }),
      'GET /v1/integrations/{id}/folders/{ouId}': async ({ tenant, path }, { nodes }) =>
        withEtag(await nodes.get(tenant, path.id, 'folder', path.ouId)),
      'PATCH /v1/integrations/{id}/folders/{ouId}': async ({ tenant, path, body, headers }, { nodes }) =>
        withEtag(await nodes.modify(tenant, path.id, 'folder', path.ouId, headers['if-match'], body)),
      'GET /v1/integrations/{id}/connections/{accountId}': async ({ tenant, path }, { nodes }) =>
        withEtag(await nodes.get(tenant, path.id, 'connection', path.accountId)),
      'PATCH /v1/integrations/{id}/connections/{accountId}': async (
        { tenant, path, body, headers },
        { nodes },
      ) =>
        withEtag(
          await nodes.modify(tenant, path.id, 'connection', path.accountId, headers['if-match'], body),
        ),
      'POST /v1/integrations/{id}/connections/{accountId}/approve': async ({ tenant, path }, { nodes }) =>
        withEtag(await nodes.approve(tenant, path.id, path.accountId)),
      'POST /v1/integrations/{id}/connections/{accountId}/reject': async ({ tenant, path }, { nodes }) => {
        await nodes.reject(tenant, path.id, path.accountId);
        return { status: 204 };
      },
    }),
  );
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
    'AUDIT_RETENTION_DAYS',
    'MEMBER_CHECK_INTERVAL_SECONDS',
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
        auditRetentionDays: env.AUDIT_RETENTION_DAYS,
        memberCheckIntervalMs: env.MEMBER_CHECK_INTERVAL_SECONDS && env.MEMBER_CHECK_INTERVAL_SECONDS * 1000,
      }),
    env.TENANT_TABLE_ROLE_ARN,
  ),
);
