import { type Integration, scopeFiltersSchema } from '../../schemas/api/integrations';
import { ValidationError, VersionConflictError } from '../core/errors';
import { logger } from '../core/logger';
import type { TenantRequest } from '../core/tenant-context';
import { buildEvent, originContext } from '../domain/change-events';
import { IntegrationDeletingError } from '../domain/sync-runs';
import type { UseCaseDeps } from './deps';
import { getIntegration } from './read';

/** As the scope filters allow. */
const MAX_EXCLUDED_ACCOUNTS = 1000;
/** Reads of the integration an exclusion makes when other changes keep moving its version. */
const EXCLUDE_ATTEMPTS = 3;

/**
 * Adds an account to the scope filters' exclusions, so no sync mirrors it again. It starts no
 * run: the caller removes the account's connection. A concurrent change is read again.
 */
export async function excludeAccount(
  deps: Pick<UseCaseDeps, 'store' | 'now' | 'audit'>,
  tenant: TenantRequest,
  integrationId: string,
  accountId: string,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const before = await getIntegration(deps, tenant, integrationId);
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
      updatedAt: deps.now().toISOString(),
    };
    const ctx = originContext(tenant, after);
    const changes = [{ field: 'filters', from: before.filters, to: after.filters }];
    try {
      await deps.store.update({
        tenantId: tenant.tenantId,
        before,
        after,
        roleIdentities: null,
        event: (sequence) =>
          buildEvent('Integration Updated', ctx, sequence, { integration: after, changes }),
        audit: deps.audit.entry(tenant, {
          action: 'connection.rejected',
          target: { type: 'connection', id: accountId },
          integrationId,
          scope: after.scope,
          changes,
        }),
      });
      logger.info('account excluded from the integration', { integrationId, accountId });
      return;
    } catch (error: unknown) {
      if (!(error instanceof VersionConflictError) || attempt >= EXCLUDE_ATTEMPTS) throw error;
    }
  }
}
