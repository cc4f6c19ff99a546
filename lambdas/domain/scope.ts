import type { Scope } from '../../schemas/api/common';
import { hasRole, TENANT_OWNER_ROLE, type TenantContext } from '../core/tenant-context';

/**
 * Tenant-level integrations are the tenant owners'; an org-level one belongs to the
 * members of that org as well. The same rule decides who may see and who may change one.
 */
export function canManageScope(tenant: TenantContext, scope: Scope): boolean {
  if (hasRole(tenant, TENANT_OWNER_ROLE)) return true;
  return scope.level === 'org' && tenant.orgIds.includes(scope.orgId);
}

export function describeScope(scope: Scope): string {
  return scope.level === 'tenant' ? 'the tenant' : `org ${scope.orgId}`;
}

/**
 * Who may see what an integration shares: anyone of the tenant for a tenant-level integration,
 * and for an org-level one only that org's members (and the tenant owners).
 */
export function canSeeScope(tenant: TenantContext, scope: Scope): boolean {
  return scope.level === 'tenant' || canManageScope(tenant, scope);
}
