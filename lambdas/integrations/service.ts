import { randomUUID } from 'node:crypto';
import type { Scope } from '../../schemas/api/common';
import {
  type CreateIntegration,
  type Integration,
  type ModifyIntegration,
  scopeFiltersSchema,
} from '../../schemas/api/integrations';
import type { RoleTestReport, RoleTestRequest } from '../../schemas/api/role-test';
import {
  AppError,
  ConfirmationRequiredError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  VersionConflictError,
} from '../core/errors';
import { logger } from '../core/logger';
import type { TenantContext, TenantRequest } from '../core/tenant-context';
import { buildEvent, originContext } from '../domain/change-events';
import { currentExternalId } from '../domain/external-id';
import type { Page, PageRequest } from '../domain/page';
import { DEFAULT_MEMBER_ROLE_NAME, parseRoleArn, type RoleArnRules, roleIdentity } from '../domain/role-arn';
import { nextDueTime } from '../domain/schedule';
import { canManageScope, describeScope } from '../domain/scope';
import { IntegrationDeletingError } from '../domain/sync-runs';
import type { ExternalIdStore } from '../ports/external-ids';
import type { RoleTests } from '../ports/role-tests';
import type { SyncRequests } from '../ports/syncs';
import {
  INHERITED_FIELDS,
  RESYNC_FIELDS,
  ROLE_FIELDS,
  requireOrganizationField,
  startSettingsRun,
  versionOf,
} from './change-rules';
import type { FairUse } from './fair-use';
import type { IntegrationStore } from './ports';

export interface IntegrationDeps {
  readonly store: IntegrationStore;
  readonly externalIds: ExternalIdStore;
  readonly roleTest: RoleTests;
  readonly syncs: Pick<SyncRequests, 'requestSync' | 'requestDeletion'>;
  /** Checks the stored role ARNs again, to name their role claims. */
  readonly roleRules: RoleArnRules;
  /** How often the schedule re-syncs each integration. */
  readonly scheduleIntervalMs: number;
  /** Integrations a tenant may hold. */
  readonly maxIntegrations: number;
  /** Every role test spends one of the tenant's budget. */
  readonly fairUse: FairUse;
  readonly now?: () => Date;
}

/** As the scope filters allow. */
const MAX_EXCLUDED_ACCOUNTS = 1000;
/** Reads of the integration an exclusion makes when other changes keep moving its version. */
const EXCLUDE_ATTEMPTS = 3;

/** Test roles, register integrations, read, change and delete them. */
export function makeIntegrationService({
  store,
  externalIds,
  roleTest,
  syncs,
  scheduleIntervalMs,
  roleRules,
  maxIntegrations,
  fairUse,
  now = () => new Date(),
}: IntegrationDeps) {
  /** Tests roles with the External ID of the scope they are for, which the caller may manage. */
  async function testRoles(tenant: TenantContext, scope: Scope, request: RoleTestRequest) {
    await fairUse.spend(tenant.tenantId, 'role-test');
    const { externalId } = await currentExternalId(externalIds, tenant.tenantId, scope);
    return { externalId, outcome: await roleTest.test({ tenantId: tenant.tenantId, externalId, request }) };
  }

  async function get(tenant: TenantContext, integrationId: string): Promise<Integration> {
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

  return {
    /** Stores nothing: a report on success, an error carrying the report on failure. */
    async testConnection(tenant: TenantContext, request: RoleTestRequest): Promise<RoleTestReport> {
      const scope = request.scope ?? { level: 'tenant' };
      if (!canManageScope(tenant, scope)) {
        throw new ForbiddenError(
          `You may not test roles for ${describeScope(scope)}.`,
          "Test with your org's External ID: give scope {level: 'org', orgId}.",
        );
      }
      return (await testRoles(tenant, scope, request)).outcome.report;
    },

    async create(tenant: TenantRequest, request: CreateIntegration): Promise<Integration> {
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
      const { externalId, outcome } = await testRoles(tenant, request.scope, request);
      const createdAt = now();
      const timestamp = createdAt.toISOString();
      const id = randomUUID();
      const integration: Integration = {
        id,
        version: 1,
        handle: request.handle,
        kind: request.kind,
        scope: request.scope,
        status: 'pending',
        roleArn: outcome.role.arn,
        readOnlyRoleArn: outcome.readOnlyRole?.arn ?? null,
        memberRoleName:
          request.kind === 'organization' ? (request.memberRoleName ?? DEFAULT_MEMBER_ROLE_NAME) : null,
        fullMemberRoleName: request.kind === 'organization' ? (request.fullMemberRoleName ?? null) : null,
        memberRoleStackSet: request.memberRoleStackSet ?? null,
        filters: request.filters ?? null,
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
        createdBy: tenant.subject,
      };
      await store.create({
        tenantId: tenant.tenantId,
        integration,
        roleIdentity: roleIdentity(outcome.role),
        firstDueAt: new Date(nextDueTime(id, createdAt.getTime(), scheduleIntervalMs)).toISOString(),
        event: buildEvent('Integration Created', originContext(tenant, integration), 1, { integration }),
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
    },

    get,

    /**
     * DELETE needs the integration's handle as `confirm`. Then it stops syncing at once, and
     * a deletion run removes every folder and connection (with their Deleted events), then the
     * integration (`Integration Deleted`), releasing its handle and role. 202: that run.
     */
    async remove(tenant: TenantRequest, integrationId: string, confirm: string | undefined) {
      const integration = await get(tenant, integrationId);
      if (confirm !== integration.handle) {
        throw new ConfirmationRequiredError(
          confirm === undefined
            ? 'Deleting an integration needs its handle as confirmation.'
            : 'The confirmation does not match the integration’s handle.',
          `Send DELETE /v1/integrations/${integrationId}?confirm=${integration.handle}.`,
        );
      }
      const { runId, coalesced } = await syncs.requestDeletion({
        tenantId: tenant.tenantId,
        integrationId,
        correlationId: tenant.correlationId,
      });
      logger.info(coalesced ? 'deletion already under way' : 'deletion started', { integrationId, runId });
      return { runId, status: 'deleting' as const };
    },

    /**
     * PATCH with `If-Match`. New roles get the whole role test first (with the tenant's
     * current External ID) and must reach the same organization or account. Nothing is written
     * when a check fails. A change to what the mirror is read with (roles, member role name,
     * scope filters) starts a `settings` sync of the whole organization; a change to what its folders and
     * connections inherit (handle prefix, regions, options, permissions), a `settings` run that
     * reads nothing from Organizations.
     */
    async modify(
      tenant: TenantRequest,
      integrationId: string,
      ifMatch: string | undefined,
      patch: ModifyIntegration,
    ): Promise<Integration> {
      const before = await get(tenant, integrationId);
      if (versionOf(ifMatch) !== before.version) throw new VersionConflictError(before.version);
      if (before.status === 'deleting') throw new IntegrationDeletingError();
      requireOrganizationField(before.kind, patch);
      if (patch.readOnlyRoleArn !== undefined && before.kind !== 'account') {
        throw new ValidationError('Only account integrations have a read-only role.', [
          { field: 'body.readOnlyRoleArn', message: 'not for an organization integration' },
        ]);
      }
      const { roleArn: newRoleArn, readOnlyRoleArn: newReadOnlyRoleArn, ...settings } = patch;
      let after: Integration = { ...before, ...settings };
      let roleIdentities: { before: string; after: string } | null = null;
      const roleArn = newRoleArn ?? before.roleArn;
      const readOnlyRoleArn = newReadOnlyRoleArn === undefined ? before.readOnlyRoleArn : newReadOnlyRoleArn;
      if (roleArn !== before.roleArn || readOnlyRoleArn !== before.readOnlyRoleArn) {
        const { externalId, outcome } = await testRoles(
          tenant,
          before.scope,
          before.kind === 'organization'
            ? { kind: 'organization', roleArn }
            : { kind: 'account', roleArn, ...(readOnlyRoleArn === null ? {} : { readOnlyRoleArn }) },
        );
        const sameTarget =
          before.kind === 'organization'
            ? outcome.organization?.id === before.organizationId
            : outcome.role.accountId === before.accountId;
        if (!sameTarget) {
          throw new ValidationError(
            `The new role reaches another ${before.kind === 'organization' ? 'organization' : 'account'}.`,
            [{ field: 'body.roleArn', message: 'must reach what the integration mirrors' }],
            'To mirror something else, create another integration.',
          );
        }
        after = {
          ...after,
          roleArn: outcome.role.arn,
          readOnlyRoleArn: outcome.readOnlyRole?.arn ?? null,
          externalId,
          accountId: outcome.role.accountId,
        };
        roleIdentities = {
          before: roleIdentity(parseRoleArn(before.roleArn, roleRules)),
          after: roleIdentity(outcome.role),
        };
      }
      const { externalId: _before, ...publishedBefore } = before;
      const { externalId: _after, ...publishedAfter } = after;
      const changes = (Object.keys(publishedAfter) as (keyof typeof publishedAfter)[])
        .filter((field) => JSON.stringify(publishedAfter[field]) !== JSON.stringify(publishedBefore[field]))
        .map((field) => ({ field, from: publishedBefore[field], to: publishedAfter[field] }));
      if (changes.length === 0) return before;
      after = { ...after, version: before.version + 1, updatedAt: now().toISOString() };
      const ctx = originContext(tenant, after);
      const updated = after;
      await store.update({
        tenantId: tenant.tenantId,
        before,
        after,
        roleIdentities,
        event: (sequence) =>
          buildEvent('Integration Updated', ctx, sequence, { integration: updated, changes }),
      });
      logger.info('integration modified', { integrationId, fields: changes.map((change) => change.field) });
      const resync = changes.some((change) => RESYNC_FIELDS.has(change.field));
      const inherited = changes.some((change) => INHERITED_FIELDS.has(change.field));
      if (resync || inherited) {
        const fields = new Set(changes.map((change) => change.field));
        await startSettingsRun(syncs, {
          tenantId: tenant.tenantId,
          integrationId,
          correlationId: tenant.correlationId,
          wholeOrganization: resync,
          // A filter change removes what falls out of scope at once; new roles never confirm.
          confirmDeletions: fields.has('filters') && ![...fields].some((field) => ROLE_FIELDS.has(field)),
        });
      }
      return after;
    },

    /**
     * Adds an account to the scope filters' exclusions, so no sync mirrors it again. It starts
     * no run: the caller removes the account's connection. A concurrent change is read again.
     */
    async excludeAccount(tenant: TenantRequest, integrationId: string, accountId: string): Promise<void> {
      for (let attempt = 1; ; attempt += 1) {
        const before = await get(tenant, integrationId);
        if (before.status === 'deleting') throw new IntegrationDeletingError();
        const filters = before.filters ?? scopeFiltersSchema.parse({});
        const { exclude } = filters.accounts;
        if (exclude.includes(accountId)) return;
        if (exclude.length >= MAX_EXCLUDED_ACCOUNTS) {
          throw new ValidationError(`The integration already excludes ${exclude.length} accounts.`, [
            { field: 'filters.accounts.exclude', message: `at most ${MAX_EXCLUDED_ACCOUNTS}` },
          ]);
        }
        const after: Integration = {
          ...before,
          filters: { ...filters, accounts: { ...filters.accounts, exclude: [...exclude, accountId] } },
          version: before.version + 1,
          updatedAt: now().toISOString(),
        };
        const ctx = originContext(tenant, after);
        const changes = [{ field: 'filters', from: before.filters, to: after.filters }];
        try {
          await store.update({
            tenantId: tenant.tenantId,
            before,
            after,
            roleIdentities: null,
            event: (sequence) =>
              buildEvent('Integration Updated', ctx, sequence, { integration: after, changes }),
          });
          logger.info('account excluded from the integration', { integrationId, accountId });
          return;
        } catch (error: unknown) {
          if (!(error instanceof VersionConflictError) || attempt >= EXCLUDE_ATTEMPTS) throw error;
        }
      }
    },

    /** A page holds only what the caller may see, so it can hold fewer than `limit` items. */
    async list(tenant: TenantContext, page: PageRequest): Promise<Page<Integration>> {
      const result = await store.list(tenant.tenantId, page);
      return { ...result, items: result.items.filter((item) => canManageScope(tenant, item.scope)) };
    },
  };
}

export type IntegrationService = ReturnType<typeof makeIntegrationService>;
