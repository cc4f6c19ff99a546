import { onboardingQuerySchema, templatePathSchema, templateQuerySchema } from '../../schemas/api/onboarding';
import { envSchema } from '../../schemas/environment';
import { onboardingAdapters } from '../composition/edges';
import { createDocumentClient } from '../core/dynamodb';
import { loadEnv } from '../core/env';
import { httpHandler, httpRoutes } from '../core/http';
import { permissionsManifest } from '../domain/permissions';
import { makeOnboardingService, type OnboardingDeps } from './service';

/**
 * GET /v1/aws/onboarding, POST /v1/aws/onboarding/external-id, GET /v1/aws/permissions,
 * GET /v1/aws/templates/{name}
 */
export function createHandler(deps: OnboardingDeps) {
  const service = makeOnboardingService(deps);
  return httpRoutes({
    'GET /v1/aws/onboarding': httpHandler({ query: onboardingQuerySchema }, async ({ tenant, query }) => ({
      status: 200,
      body: await service.onboarding(tenant, query.scope),
      headers: { 'cache-control': 'no-store' },
    })),
    'POST /v1/aws/onboarding/external-id': httpHandler(
      { query: onboardingQuerySchema },
      async ({ tenant, query }) => ({
        status: 200,
        body: await service.rotateExternalId(tenant, query.scope),
        headers: { 'cache-control': 'no-store' },
      }),
    ),
    'GET /v1/aws/permissions': httpHandler({}, async () => ({ status: 200, body: permissionsManifest() })),
    'GET /v1/aws/templates/{name}': httpHandler(
      { path: templatePathSchema, query: templateQuerySchema },
      async ({ tenant, path, query }) => {
        const { fileName, yaml } = await service.template(tenant, path.name, query);
        return {
          status: 200,
          text: yaml,
          headers: {
            'content-type': 'application/yaml; charset=utf-8',
            'content-disposition': `attachment; filename="${fileName}"`,
            'cache-control': 'no-store',
          },
        };
      },
    ),
  });
}

const env = loadEnv(
  envSchema(
    'TABLE_NAME',
    'TRUSTED_ACCOUNT_ID',
    'PARTITION',
    'TEMPLATES_DIR',
    'TEMPLATES_BASE_URL',
    'INGRESS_BUS_ARN',
  ),
);

export const handler = createHandler({
  ...onboardingAdapters(createDocumentClient(), env.TABLE_NAME, env.TEMPLATES_DIR),
  trustedAccountId: env.TRUSTED_ACCOUNT_ID,
  partition: env.PARTITION,
  templatesBaseUrl: env.TEMPLATES_BASE_URL,
  ingressBusArn: env.INGRESS_BUS_ARN,
});
