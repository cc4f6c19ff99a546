import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { listQuerySchema } from '../../schemas/api/common';
import {
  createIntegrationSchema,
  deleteIntegrationQuerySchema,
  integrationPathSchema,
  modifyIntegrationSchema,
} from '../../schemas/api/integrations';
import { connectionPathSchema, folderPathSchema, modifyNodeSchema } from '../../schemas/api/nodes';
import { roleTestRequestSchema } from '../../schemas/api/role-test';
import { envSchema, SYNC_ENV } from '../../schemas/environment';
import { startSyncQuerySchema } from '../../schemas/sync';
import { DynamoDbExternalIds } from '../adapters/aws/dynamodb-external-ids';
import { DynamoDbHealth } from '../adapters/aws/dynamodb-health';
import { DynamoDbIntegrations } from '../adapters/aws/dynamodb-integrations';
import { SfnWorkflow } from '../adapters/aws/sfn-workflow';
import { StsCustomerRoles } from '../adapters/aws/sts-customer-roles';
import { syncStores } from '../composition/sync';
import { createDocumentClient } from '../core/dynamodb';
import { loadEnv } from '../core/env';
import { httpHandler, httpRoutes } from '../core/http';
import type { MemberHealthStore } from '../health/ports';
import { makeRoleTestService, type RoleTestDeps } from '../role-test/service';
import type { MirrorStore, SyncStateStore, WorkflowPort } from '../sync/ports';
import { DEFAULT_SYNC_SETTINGS, makeSyncService } from '../sync/service';
import { makeNodeService } from './nodes';
import { type IntegrationDeps, makeIntegrationService } from './service';

export type IntegrationHandlerDeps = Pick<IntegrationDeps, 'store' | 'externalIds' | 'scheduleIntervalMs'> &
  RoleTestDeps & {
    readonly syncStore: { readonly state: SyncStateStore; readonly mirror: MirrorStore };
    readonly workflow: Pick<WorkflowPort, 'start' | 'checkMembers'>;
    readonly health: Pick<MemberHealthStore, 'health'>;
  };

/**
 * POST /v1/aws/test-connection, POST and GET /v1/integrations, GET /v1/integrations/{id}, and
 * the integration's sync, status, runs and tree.
 */
export function createHandler({
  roles,
  rules,
  trustPolicyProbes,
  syncStore,
  workflow,
  ...deps
}: IntegrationHandlerDeps) {
  const syncs = makeSyncService({
    ...syncStore,
    roles,
    workflow,
    settings: { ...DEFAULT_SYNC_SETTINGS, roleRules: rules },
  });
  const service = makeIntegrationService({
    ...deps,
    roleTest: makeRoleTestService({ roles, rules, trustPolicyProbes }),
    syncs,
    syncState: syncStore.state,
    mirror: syncStore.mirror,
    roleRules: rules,
    workflow,
  });
  const nodes = makeNodeService({
    integrations: service,
    mirror: syncStore.mirror,
    syncs,
    health: deps.health,
  });
  const path = integrationPathSchema;
  return httpRoutes({
    'POST /v1/aws/test-connection': httpHandler(
      { body: roleTestRequestSchema },
      async ({ tenant, body }) => ({
        status: 200,
        body: await service.testConnection(tenant, body),
      }),
    ),
    'POST /v1/integrations': httpHandler({ body: createIntegrationSchema }, async ({ tenant, body }) => {
      const integration = await service.create(tenant, body);
      return {
        status: 201,
        body: integration,
        headers: { location: `/v1/integrations/${integration.id}`, etag: `"${integration.version}"` },
      };
    }),
    'GET /v1/integrations': httpHandler({ query: listQuerySchema }, async ({ tenant, query }) => ({
      status: 200,
      body: await service.list(tenant, query),
    })),
    'GET /v1/integrations/{id}': httpHandler({ path }, async ({ tenant, path }) =>
      withEtag(await service.get(tenant, path.id)),
    ),
    'PATCH /v1/integrations/{id}': httpHandler(
      { path, body: modifyIntegrationSchema },
      async ({ tenant, path, body, headers }) =>
        withEtag(await service.modify(tenant, path.id, headers['if-match'], body)),
    ),
    'DELETE /v1/integrations/{id}': httpHandler(
      { path, query: deleteIntegrationQuerySchema },
      async ({ tenant, path, query }) => ({
        status: 202,
        body: await service.remove(tenant, path.id, query.confirm),
        headers: { location: `/v1/integrations/${path.id}/status` },
      }),
    ),
    'POST /v1/integrations/{id}/test': httpHandler({ path }, async ({ tenant, path }) => ({
      status: 200,
      body: await service.test(tenant, path.id),
    })),
    'POST /v1/integrations/{id}/sync': httpHandler(
      { path, query: startSyncQuerySchema },
      async ({ tenant, path, query }) => {
        const accepted = await service.startSync(tenant, path.id, query.confirmDeletions);
        return {
          status: 202,
          body: accepted,
          headers: { location: `/v1/integrations/${path.id}/status` },
        };
      },
    ),
    'GET /v1/integrations/{id}/status': httpHandler({ path }, async ({ tenant, path }) => ({
      status: 200,
      body: await service.status(tenant, path.id),
    })),
    'GET /v1/integrations/{id}/runs': httpHandler(
      { path, query: listQuerySchema },
      async ({ tenant, path, query }) => ({ status: 200, body: await service.runs(tenant, path.id, query) }),
    ),
    'GET /v1/integrations/{id}/tree': httpHandler(
      { path, query: listQuerySchema },
      async ({ tenant, path, query }) => ({ status: 200, body: await service.tree(tenant, path.id, query) }),
    ),
    'GET /v1/integrations/{id}/folders/{ouId}': httpHandler(
      { path: folderPathSchema },
      async ({ tenant, path }) => withEtag(await nodes.get(tenant, path.id, 'folder', path.ouId)),
    ),
    'PATCH /v1/integrations/{id}/folders/{ouId}': httpHandler(
      { path: folderPathSchema, body: modifyNodeSchema },
      async ({ tenant, path, body, headers }) =>
        withEtag(await nodes.modify(tenant, path.id, 'folder', path.ouId, headers['if-match'], body)),
    ),
    'GET /v1/integrations/{id}/connections/{accountId}': httpHandler(
      { path: connectionPathSchema },
      async ({ tenant, path }) => withEtag(await nodes.get(tenant, path.id, 'connection', path.accountId)),
    ),
    'PATCH /v1/integrations/{id}/connections/{accountId}': httpHandler(
      { path: connectionPathSchema, body: modifyNodeSchema },
      async ({ tenant, path, body, headers }) =>
        withEtag(
          await nodes.modify(tenant, path.id, 'connection', path.accountId, headers['if-match'], body),
        ),
    ),
  });
}

/** 200 with a versioned resource and its `ETag`. */
function withEtag<T extends { readonly version: number }>(resource: T) {
  return { status: 200, body: resource, headers: { etag: `"${resource.version}"` } };
}

const env = loadEnv(envSchema(...SYNC_ENV, 'SYNC_INTERVAL_SECONDS'));

const db = createDocumentClient();
export const handler = createHandler({
  store: new DynamoDbIntegrations(db, env.TABLE_NAME),
  externalIds: new DynamoDbExternalIds(db, env.TABLE_NAME),
  roles: new StsCustomerRoles(new STSClient({})),
  rules: { trustedAccountId: env.TRUSTED_ACCOUNT_ID, allowedPartitions: env.ALLOWED_PARTITIONS },
  syncStore: syncStores(db, env.TABLE_NAME),
  health: new DynamoDbHealth(db, env.TABLE_NAME),
  workflow: new SfnWorkflow(new SFNClient({}), env.STATE_MACHINE_ARN),
  scheduleIntervalMs: env.SYNC_INTERVAL_SECONDS * 1000,
});
