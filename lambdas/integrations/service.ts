import type { AuditQuery } from '../../schemas/api/audit';
import type { CreateIntegration, ModifyIntegration } from '../../schemas/api/integrations';
import type { RoleTestRequest } from '../../schemas/api/role-test';
import type { TenantContext, TenantRequest } from '../core/tenant-context';
import type { PageRequest } from '../domain/page';
import { readAuditLog } from './audit-log';
import { createIntegration } from './create';
import type { IntegrationDeps } from './deps';
import { excludeAccount } from './exclude-account';
import { modifyIntegration } from './modify';
import { getIntegration, listIntegrations } from './read';
import { removeIntegration } from './remove';
import { testConnection } from './test-roles';

/** Test roles, register integrations, read, change and delete them: each a use case of its own. */
export function makeIntegrationService(settings: IntegrationDeps) {
  const deps = { ...settings, now: settings.now ?? (() => new Date()) };
  return {
    testConnection: (tenant: TenantRequest, request: RoleTestRequest) =>
      testConnection(deps, tenant, request),
    create: (tenant: TenantRequest, request: CreateIntegration) => createIntegration(deps, tenant, request),
    get: (tenant: TenantContext, integrationId: string) => getIntegration(deps, tenant, integrationId),
    list: (tenant: TenantContext, page: PageRequest) => listIntegrations(deps, tenant, page),
    modify: (
      tenant: TenantRequest,
      integrationId: string,
      ifMatch: string | undefined,
      patch: ModifyIntegration,
    ) => modifyIntegration(deps, tenant, integrationId, ifMatch, patch),
    remove: (tenant: TenantRequest, integrationId: string, confirm: string | undefined) =>
      removeIntegration(deps, tenant, integrationId, confirm),
    excludeAccount: (tenant: TenantRequest, integrationId: string, accountId: string) =>
      excludeAccount(deps, tenant, integrationId, accountId),
    audit: (tenant: TenantContext, query: AuditQuery) => readAuditLog(deps, tenant, query),
  };
}

export type IntegrationService = ReturnType<typeof makeIntegrationService>;
