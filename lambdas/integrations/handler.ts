import { STSClient } from '@aws-sdk/client-sts';
import { z } from 'zod';
import { listQuerySchema } from '../../schemas/api/common';
import { createIntegrationSchema, integrationPathSchema } from '../../schemas/api/integrations';
import { roleTestRequestSchema } from '../../schemas/api/role-test';
import { DynamoDbExternalIds } from '../adapters/aws/dynamodb-external-ids';
import { DynamoDbIntegrations } from '../adapters/aws/dynamodb-integrations';
import { StsCustomerRoles } from '../adapters/aws/sts-customer-roles';
import { createDocumentClient } from '../core/dynamodb';
import { accountIdSchema, loadEnv, partitionSchema } from '../core/env';
import { httpHandler, httpRoutes } from '../core/http';
import { makeRoleTestService, type RoleTestDeps } from '../role-test/service';
import { type IntegrationDeps, makeIntegrationService } from './service';

export type IntegrationHandlerDeps = Omit<IntegrationDeps, 'roleTest'> & RoleTestDeps;

/** POST /v1/aws/test-connection, POST and GET /v1/integrations, GET /v1/integrations/{id} */
export function createHandler({ roles, rules, ...deps }: IntegrationHandlerDeps) {
  const service = makeIntegrationService({ ...deps, roleTest: makeRoleTestService({ roles, rules }) });
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
    'GET /v1/integrations/{id}': httpHandler({ path: integrationPathSchema }, async ({ tenant, path }) => {
      const integration = await service.get(tenant, path.id);
      return { status: 200, body: integration, headers: { etag: `"${integration.version}"` } };
    }),
  });
}

const env = loadEnv(
  z.object({
    TABLE_NAME: z.string().min(1),
    TRUSTED_ACCOUNT_ID: accountIdSchema,
    ALLOWED_PARTITIONS: z
      .string()
      .transform((list) => list.split(','))
      .pipe(z.array(partitionSchema).min(1)),
  }),
);

const db = createDocumentClient();
export const handler = createHandler({
  store: new DynamoDbIntegrations(db, env.TABLE_NAME),
  externalIds: new DynamoDbExternalIds(db, env.TABLE_NAME),
  roles: new StsCustomerRoles(new STSClient({})),
  rules: { trustedAccountId: env.TRUSTED_ACCOUNT_ID, allowedPartitions: env.ALLOWED_PARTITIONS },
});
