import { randomUUID } from 'node:crypto';
import type { CreateIntegration, Integration } from '../../schemas/api/integrations';
import { AppError, ForbiddenError } from '../core/errors';
import { logger } from '../core/logger';
import type { TenantRequest } from '../core/tenant-context';
import { buildEvent, originContext } from '../domain/change-events';
import { DEFAULT_MEMBER_ROLE_NAME, roleIdentity } from '../domain/role-arn';
import { nextDueTime } from '../domain/schedule';
import { canManageScope, describeScope } from '../domain/scope';
import type { RoleTestOutcome } from '../ports/role-tests';
import { requireOrganizationField } from './change-rules';
import type { UseCaseDeps } from './deps';
import { testRoles } from './test-roles';

/** Who creates the integration, when, and under which id. */
export interface Creation {
  readonly id: string;
  readonly at: Date;
  readonly by: string;
}

/**
 * The integration a create request makes, once its roles passed the test with `externalId`:
 * what the test proved (the roles' ARNs, account, partition and organization) beside what the
 * request asked for, each setting at its default where it asked for none.
 */
export function integrationOf(
  request: CreateIntegration,
  tested: { readonly externalId: string; readonly outcome: RoleTestOutcome },
  creation: Creation,
): Integration {
  const { externalId, outcome } = tested;
  const timestamp = creation.at.toISOString();
  const organization = request.kind === 'organization';
  return {
    id: creation.id,
    version: 1,
    handle: request.handle,
    kind: request.kind,
    scope: request.scope,
    status: 'pending',
    roleArn: outcome.role.arn,
    readOnlyRoleArn: outcome.readOnlyRole?.arn ?? null,
    memberRoleName: organization ? (request.memberRoleName ?? DEFAULT_MEMBER_ROLE_NAME) : null,
    fullMemberRoleName: organization ? (request.fullMemberRoleName ?? null) : null,
    memberRoleStackSet: request.memberRoleStackSet ?? null,
    filters: request.filters ?? null,
    tags: request.tags ?? { read: false },
    newAccounts: request.newAccounts ?? 'include',
    handlePrefix: request.handlePrefix ?? null,
    regions: request.regions,
    options: request.options ?? {},
    permissions: request.permissions ?? { share: 'none' },
    externalId,
    accountId: outcome.role.accountId,
    partition: outcome.role.partition,
    organizationId: outcome.organization?.id ?? null,
    managementAccountId: outcome.organization?.managementAccountId ?? null,
    createdAt: timestamp,
    updatedAt: timestamp,
    createdBy: creation.by,
  };
}

/**
 * Registers an integration: the caller may manage its scope, the tenant holds fewer than its
 * limit, and the roles pass the test with the scope's External ID; then it is stored with its
 * Created event, and its initial sync starts.
 */
export async function createIntegration(
  deps: UseCaseDeps,
  tenant: TenantRequest,
  request: CreateIntegration,
): Promise<Integration> {
  const { store, syncs, maxIntegrations, scheduleIntervalMs, now } = deps;
  if (!canManageScope(tenant, request.scope)) {
    throw new ForbiddenError(
      `You may not create integrations for ${describeScope(request.scope)}.`,
      request.scope.level === 'tenant'
        ? 'Ask a tenant owner.'
        : 'Ask a member of that org or a tenant owner.',
    );
  }
  // Counted before the role test, so a tenant at its limit spends no STS call. Creates that
  // race may pass the limit by the few in flight at once.
  const held = await store.count(tenant.tenantId);
  if (held >= maxIntegrations) {
    throw new AppError(
      'LIMIT_EXCEEDED',
      `This tenant already has ${held} integrations, the most it may hold.`,
      {
        hint: 'Delete an integration you no longer need, or ask the platform to raise the limit.',
      },
    );
  }
  requireOrganizationField(request.kind, request);
  const tested = await testRoles(deps, tenant, request.scope, request);
  const createdAt = now();
  const integration = integrationOf(request, tested, { id: randomUUID(), at: createdAt, by: tenant.subject });
  await store.create({
    tenantId: tenant.tenantId,
    integration,
    roleIdentity: roleIdentity(tested.outcome.role),
    firstDueAt: new Date(nextDueTime(integration.id, createdAt.getTime(), scheduleIntervalMs)).toISOString(),
    event: buildEvent('Integration Created', originContext(tenant, integration), 1, { integration }),
    audit: deps.audit.entry(tenant, {
      action: 'integration.created',
      target: { type: 'integration', id: integration.id },
      integrationId: integration.id,
      scope: integration.scope,
    }),
  });
  logger.info('integration created', { integrationId: integration.id, kind: integration.kind });
  try {
    const { runId } = await syncs.requestSync({
      tenantId: tenant.tenantId,
      integrationId: integration.id,
      trigger: 'initial',
      confirmDeletions: false,
      correlationId: tenant.correlationId,
    });
    logger.info('initial sync started', { integrationId: integration.id, runId });
  } catch (error: unknown) {
    // The integration is stored and stays pending; a manual or scheduled sync starts it later.
    logger.error('initial sync did not start', { integrationId: integration.id, error });
  }
  return integration;
}
