import { envSchema } from '../../schemas/environment';
import { scopedRoutes } from '../composition/api-routes';
import { onboardingAdapters } from '../composition/edges';
import { perTenant } from '../composition/tenant-table';
import { loadEnv } from '../core/env';
import { httpHandler, httpRoutes } from '../core/http';
import type { TenantScope } from '../core/tenant-context';
import { permissionsManifest } from '../domain/permissions';
import { makeOnboardingService, type OnboardingService } from '../onboarding/service';

/**
 * GET /v1/aws/onboarding, POST /v1/aws/onboarding/external-id, GET /v1/aws/permissions,
 * GET /v1/aws/templates/{name}
 */
export function createHandler(scope: TenantScope<OnboardingService>) {
  return httpRoutes({
    ...scopedRoutes(scope, {
      'GET /v1/aws/onboarding': async ({ tenant, query }, service) => ({
        status: 200,
        body: await service.onboarding(tenant, query.scope),
        headers: { 'cache-control': 'no-store' },
      }),
      'POST /v1/aws/onboarding/external-id': async ({ tenant, query }, service) => ({
        status: 200,
        body: await service.rotateExternalId(tenant, query.scope),
        headers: { 'cache-control': 'no-store' },
      }),
      'GET /v1/aws/templates/{name}': async ({ tenant, path, query }, service) => {
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
    }),
    // Only the manifest of permissions: no tenant's table to reach.
    'GET /v1/aws/permissions': httpHandler({}, async () => ({ status: 200, body: permissionsManifest() })),
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
    'PLATFORM_PRINCIPAL_ARNS',
    'AUDIT_RETENTION_DAYS',
    'TENANT_TABLE_ROLE_ARN',
  ),
);

const adapters = onboardingAdapters(env.TABLE_NAME, env.TEMPLATES_DIR, env.AUDIT_RETENTION_DAYS);

export const handler = createHandler(
  perTenant(
    (db) =>
      makeOnboardingService({
        ...adapters(db),
        trustedAccountId: env.TRUSTED_ACCOUNT_ID,
        partition: env.PARTITION,
        templatesBaseUrl: env.TEMPLATES_BASE_URL,
        ingressBusArn: env.INGRESS_BUS_ARN,
        platformPrincipalArns: env.PLATFORM_PRINCIPAL_ARNS,
      }),
    env.TENANT_TABLE_ROLE_ARN,
  ),
);
