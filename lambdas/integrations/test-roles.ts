import type { Scope } from '../../schemas/api/common';
import type { RoleTestReport, RoleTestRequest } from '../../schemas/api/role-test';
import { ForbiddenError } from '../core/errors';
import type { TenantContext, TenantRequest } from '../core/tenant-context';
import { currentExternalId } from '../domain/external-id';
import { canManageScope, describeScope } from '../domain/scope';
import type { RoleTestOutcome } from '../ports/role-tests';
import type { IntegrationDeps } from './deps';

type RoleTestDeps = Pick<IntegrationDeps, 'externalIds' | 'roleTest' | 'fairUse'>;

/** Tests roles with the External ID of the scope they are for, which the caller may manage. */
export async function testRoles(
  { externalIds, roleTest, fairUse }: RoleTestDeps,
  tenant: TenantContext,
  scope: Scope,
  request: RoleTestRequest,
): Promise<{ readonly externalId: string; readonly outcome: RoleTestOutcome }> {
  await fairUse.spend(tenant.tenantId, 'role-test');
  const { externalId } = await currentExternalId(externalIds, tenant.tenantId, scope);
  return { externalId, outcome: await roleTest.test({ tenantId: tenant.tenantId, externalId, request }) };
}

/** Stores only its audit entry: a report on success, an error carrying the report on failure. */
export async function testConnection(
  deps: RoleTestDeps & Pick<IntegrationDeps, 'audit' | 'auditLog'>,
  tenant: TenantRequest,
  request: RoleTestRequest,
): Promise<RoleTestReport> {
  const scope = request.scope ?? { level: 'tenant' };
  if (!canManageScope(tenant, scope)) {
    throw new ForbiddenError(
      `You may not test roles for ${describeScope(scope)}.`,
      "Test with your org's External ID: give scope {level: 'org', orgId}.",
    );
  }
  const { report } = (await testRoles(deps, tenant, scope, request)).outcome;
  await deps.auditLog.record(
    tenant.tenantId,
    deps.audit.entry(tenant, {
      action: 'role.tested',
      target: { type: 'role', id: request.roleArn },
      scope,
    }),
  );
  return report;
}
