import type { Integration, ModifyIntegration } from '../../schemas/api/integrations';
import { ValidationError, VersionConflictError } from '../core/errors';
import { logger } from '../core/logger';
import type { TenantRequest } from '../core/tenant-context';
import { buildEvent, originContext } from '../domain/change-events';
import { parseRoleArn, roleIdentity } from '../domain/role-arn';
import { IntegrationDeletingError } from '../domain/sync-runs';
import {
  INHERITED_FIELDS,
  RESYNC_FIELDS,
  ROLE_FIELDS,
  requireOrganizationField,
  startSettingsRun,
  versionOf,
} from './change-rules';
import type { UseCaseDeps } from './deps';
import { getIntegration } from './read';
import { testRoles } from './test-roles';

/** A field of the integration as consumers see it, before and after. */
export interface FieldChange {
  readonly field: string;
  readonly from: unknown;
  readonly to: unknown;
}

/** The published fields that differ (the External ID is never published). */
export function changesBetween(before: Integration, after: Integration): FieldChange[] {
  const { externalId: _before, ...publishedBefore } = before;
  const { externalId: _after, ...publishedAfter } = after;
  return (Object.keys(publishedAfter) as (keyof typeof publishedAfter)[])
    .filter((field) => JSON.stringify(publishedAfter[field]) !== JSON.stringify(publishedBefore[field]))
    .map((field) => ({ field, from: publishedBefore[field], to: publishedAfter[field] }));
}

/**
 * New roles get the whole role test (with the scope's current External ID), and must reach the
 * same organization or account: the integration with them, and the role claims to move.
 */
async function withNewRoles(
  deps: UseCaseDeps,
  tenant: TenantRequest,
  before: Integration,
  after: Integration,
  roles: { readonly roleArn: string; readonly readOnlyRoleArn: string | null },
) {
  const { roleArn, readOnlyRoleArn } = roles;
  const { externalId, outcome } = await testRoles(
    deps,
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
  return {
    integration: {
      ...after,
      roleArn: outcome.role.arn,
      readOnlyRoleArn: outcome.readOnlyRole?.arn ?? null,
      externalId,
      accountId: outcome.role.accountId,
    },
    roleIdentities: {
      before: roleIdentity(parseRoleArn(before.roleArn, deps.roleRules)),
      after: roleIdentity(outcome.role),
    },
  };
}

/**
 * PATCH with `If-Match`. New roles get the whole role test first (with the tenant's current
 * External ID) and must reach the same organization or account. Nothing is written when a check
 * fails. A change to what the mirror is read with (roles, member role name, scope filters)
 * starts a `settings` sync of the whole organization; a change to what its folders and
 * connections inherit (handle prefix, regions, options, permissions), a `settings` run that
 * reads nothing from Organizations.
 */
export async function modifyIntegration(
  deps: UseCaseDeps,
  tenant: TenantRequest,
  integrationId: string,
  ifMatch: string | undefined,
  patch: ModifyIntegration,
): Promise<Integration> {
  const before = await getIntegration(deps, tenant, integrationId);
  if (versionOf(ifMatch) !== before.version) throw new VersionConflictError(before.version);
  if (before.status === 'deleting') throw new IntegrationDeletingError();
  requireOrganizationField(before.kind, patch);
  if (patch.readOnlyRoleArn !== undefined && before.kind !== 'account') {
    throw new ValidationError('Only account integrations have a read-only role.', [
      { field: 'body.readOnlyRoleArn', message: 'not for an organization integration' },
    ]);
  }
  const { roleArn: newRoleArn, readOnlyRoleArn: newReadOnlyRoleArn, ...settings } = patch;
  const roles = {
    roleArn: newRoleArn ?? before.roleArn,
    readOnlyRoleArn: newReadOnlyRoleArn === undefined ? before.readOnlyRoleArn : newReadOnlyRoleArn,
  };
  const rolesChanged = roles.roleArn !== before.roleArn || roles.readOnlyRoleArn !== before.readOnlyRoleArn;
  const { integration: changed, roleIdentities } = rolesChanged
    ? await withNewRoles(deps, tenant, before, { ...before, ...settings }, roles)
    : { integration: { ...before, ...settings }, roleIdentities: null };
  const changes = changesBetween(before, changed);
  if (changes.length === 0) return before;
  const after = { ...changed, version: before.version + 1, updatedAt: deps.now().toISOString() };
  const ctx = originContext(tenant, after);
  await deps.store.update({
    tenantId: tenant.tenantId,
    before,
    after,
    roleIdentities,
    event: (sequence) => buildEvent('Integration Updated', ctx, sequence, { integration: after, changes }),
    audit: deps.audit.entry(tenant, {
      action: 'integration.modified',
      target: { type: 'integration', id: integrationId },
      integrationId,
      scope: after.scope,
      changes,
    }),
  });
  logger.info('integration modified', { integrationId, fields: changes.map((change) => change.field) });
  const fields = new Set(changes.map((change) => change.field));
  const resync = [...fields].some((field) => RESYNC_FIELDS.has(field));
  const inherited = [...fields].some((field) => INHERITED_FIELDS.has(field));
  if (resync || inherited) {
    await startSettingsRun(deps.syncs, {
      tenantId: tenant.tenantId,
      integrationId,
      correlationId: tenant.correlationId,
      wholeOrganization: resync,
      // A filter change removes what falls out of scope at once; new roles never confirm.
      confirmDeletions: fields.has('filters') && ![...fields].some((field) => ROLE_FIELDS.has(field)),
    });
  }
  return after;
}
