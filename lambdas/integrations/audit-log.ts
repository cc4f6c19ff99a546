import { type AuditEntry, type AuditQuery, MAX_AUDIT_RANGE_DAYS } from '../../schemas/api/audit';
import { ValidationError } from '../core/errors';
import { hasRole, TENANT_OWNER_ROLE, type TenantContext } from '../core/tenant-context';
import type { Page } from '../domain/page';
import type { UseCaseDeps } from './deps';
import { getIntegration } from './read';

const DAY_MS = 24 * 3600 * 1000;

/**
 * The audit log newest first, between `from` and `to` (the last `MAX_AUDIT_RANGE_DAYS` days by
 * default): all the tenant's entries for a tenant owner, those of the caller's orgs for a member.
 * An integration the caller may not see answers as `GET /v1/integrations/{id}` would.
 */
export async function readAuditLog(
  deps: Pick<UseCaseDeps, 'store' | 'auditLog' | 'now'>,
  tenant: TenantContext,
  query: AuditQuery,
): Promise<Page<AuditEntry>> {
  if (query.integrationId !== undefined) await getIntegration(deps, tenant, query.integrationId);
  const to = query.to === undefined ? deps.now() : new Date(query.to);
  const from =
    query.from === undefined ? new Date(to.getTime() - MAX_AUDIT_RANGE_DAYS * DAY_MS) : new Date(query.from);
  if (to.getTime() - from.getTime() > MAX_AUDIT_RANGE_DAYS * DAY_MS) {
    throw new ValidationError(`The range may span at most ${MAX_AUDIT_RANGE_DAYS} days.`, [
      {
        field: query.to === undefined ? 'query.from' : 'query.to',
        message: `at most ${MAX_AUDIT_RANGE_DAYS} days after from`,
      },
    ]);
  }
  return deps.auditLog.list(tenant.tenantId, {
    from: from.toISOString(),
    to: to.toISOString(),
    ...(query.integrationId === undefined ? {} : { integrationId: query.integrationId }),
    orgIds: hasRole(tenant, TENANT_OWNER_ROLE) ? 'all' : tenant.orgIds,
    limit: query.limit,
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
  });
}
