import type { Integration } from '../../schemas/api/integrations';
import { ForbiddenError, NotFoundError } from '../core/errors';
import type { TenantContext } from '../core/tenant-context';
import type { Page, PageRequest } from '../domain/page';
import { canManageScope, describeScope } from '../domain/scope';
import type { IntegrationDeps } from './deps';

/** One integration the caller may manage; another org's answers 404, the tenant's to a member 403. */
export async function getIntegration(
  { store }: Pick<IntegrationDeps, 'store'>,
  tenant: TenantContext,
  integrationId: string,
): Promise<Integration> {
  const integration = await store.get(tenant.tenantId, integrationId);
  // An org's integration is invisible outside that org; a tenant's is its owners' business.
  if (!integration || (integration.scope.level === 'org' && !canManageScope(tenant, integration.scope))) {
    throw new NotFoundError('The integration');
  }
  if (!canManageScope(tenant, integration.scope)) {
    throw new ForbiddenError(`The integration belongs to ${describeScope(integration.scope)}.`);
  }
  return integration;
}

/** A page holds only what the caller may see, so it can hold fewer than `limit` items. */
export async function listIntegrations(
  { store }: Pick<IntegrationDeps, 'store'>,
  tenant: TenantContext,
  page: PageRequest,
): Promise<Page<Integration>> {
  const result = await store.list(tenant.tenantId, page);
  return { ...result, items: result.items.filter((item) => canManageScope(tenant, item.scope)) };
}
