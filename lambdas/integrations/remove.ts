import { ConfirmationRequiredError } from '../core/errors';
import { logger } from '../core/logger';
import type { TenantRequest } from '../core/tenant-context';
import type { IntegrationDeps } from './deps';
import { getIntegration } from './read';

/**
 * DELETE needs the integration's handle as `confirm`. Then it stops syncing at once, and a
 * deletion run removes every folder and connection (with their Deleted events), then the
 * integration (`Integration Deleted`), releasing its handle and role. 202: that run.
 */
export async function removeIntegration(
  deps: Pick<IntegrationDeps, 'store' | 'syncs' | 'audit' | 'auditLog'>,
  tenant: TenantRequest,
  integrationId: string,
  confirm: string | undefined,
) {
  const integration = await getIntegration(deps, tenant, integrationId);
  if (confirm !== integration.handle) {
    throw new ConfirmationRequiredError(
      confirm === undefined
        ? 'Deleting an integration needs its handle as confirmation.'
        : 'The confirmation does not match the integration’s handle.',
      `Send DELETE /v1/integrations/${integrationId}?confirm=${integration.handle}.`,
    );
  }
  const { runId, coalesced } = await deps.syncs.requestDeletion({
    tenantId: tenant.tenantId,
    integrationId,
    correlationId: tenant.correlationId,
  });
  logger.info(coalesced ? 'deletion already under way' : 'deletion started', { integrationId, runId });
  await deps.auditLog.record(
    tenant.tenantId,
    deps.audit.entry(tenant, {
      action: 'integration.deletion-requested',
      target: { type: 'integration', id: integrationId },
      integrationId,
      scope: integration.scope,
    }),
  );
  return { runId, status: 'deleting' as const };
}
