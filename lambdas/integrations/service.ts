import { randomUUID } from 'node:crypto';
import type { CreateIntegration, Integration } from '../../schemas/api/integrations';
import type { RoleTestReport, RoleTestRequest } from '../../schemas/api/role-test';
import { ForbiddenError, NotFoundError } from '../core/errors';
import { logger } from '../core/logger';
import type { TenantContext } from '../core/tenant-context';
import { roleIdentity } from '../domain/role-arn';
import { canManageScope, describeScope } from '../domain/scope';
import type { ExternalIdStore } from '../onboarding/ports';
import { currentExternalId } from '../onboarding/service';
import type { RoleTestService } from '../role-test/service';
import type { IntegrationPage, IntegrationStore } from './ports';

export const DEFAULT_MEMBER_ROLE_NAME = 'OrgConnectionsReadOnly';

export interface IntegrationDeps {
  readonly store: IntegrationStore;
  readonly externalIds: ExternalIdStore;
  readonly roleTest: RoleTestService;
  readonly now?: () => Date;
}

/** C3 and C9: test roles, register integrations, and read them back. */
export function makeIntegrationService({
  store,
  externalIds,
  roleTest,
  now = () => new Date(),
}: IntegrationDeps) {
  async function testRoles(tenant: TenantContext, request: RoleTestRequest) {
    const { externalId } = await currentExternalId(externalIds, tenant.tenantId);
    return { externalId, outcome: await roleTest.test({ tenantId: tenant.tenantId, externalId, request }) };
  }

  return {
    /** Stores nothing: a report on success, an error carrying the report on failure. */
    async testConnection(tenant: TenantContext, request: RoleTestRequest): Promise<RoleTestReport> {
      return (await testRoles(tenant, request)).outcome.report;
    },

    async create(tenant: TenantContext, request: CreateIntegration): Promise<Integration> {
      if (!canManageScope(tenant, request.scope)) {
        throw new ForbiddenError(
          `You may not create integrations for ${describeScope(request.scope)}.`,
          request.scope.level === 'tenant'
            ? 'Ask a tenant owner.'
            : 'Ask a member of that org or a tenant owner.',
        );
      }
      const { externalId, outcome } = await testRoles(tenant, request);
      const timestamp = now().toISOString();
      const integration: Integration = {
        id: randomUUID(),
        version: 1,
        handle: request.handle,
        kind: request.kind,
        scope: request.scope,
        status: 'pending',
        roleArn: outcome.role.arn,
        readOnlyRoleArn: outcome.readOnlyRole?.arn ?? null,
        memberRoleName:
          request.kind === 'organization' ? (request.memberRoleName ?? DEFAULT_MEMBER_ROLE_NAME) : null,
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
        createdBy: tenant.subject,
      };
      await store.create({
        tenantId: tenant.tenantId,
        integration,
        roleIdentity: roleIdentity(outcome.role),
      });
      logger.info('integration created', { integrationId: integration.id, kind: integration.kind });
      return integration;
    },

    async get(tenant: TenantContext, integrationId: string): Promise<Integration> {
      const integration = await store.get(tenant.tenantId, integrationId);
      if (!integration) throw new NotFoundError('The integration');
      if (!canManageScope(tenant, integration.scope)) {
        throw new ForbiddenError(`The integration belongs to ${describeScope(integration.scope)}.`);
      }
      return integration;
    },

    /** A page holds only what the caller may see, so it can hold fewer than `limit` items. */
    async list(tenant: TenantContext, page: { limit: number; cursor?: string }): Promise<IntegrationPage> {
      const result = await store.list(tenant.tenantId, page);
      return { ...result, items: result.items.filter((item) => canManageScope(tenant, item.scope)) };
    },
  };
}
