import { envSchema } from '../../schemas/environment';
import { scopedRoutes } from '../composition/api-routes';
import { workspaceAdapters } from '../composition/edges';
import { perTenant } from '../composition/tenant-table';
import { loadEnv } from '../core/env';
import { httpRoutes } from '../core/http';
import type { TenantContext, TenantScope } from '../core/tenant-context';
import type { PageRequest } from '../domain/page';
import { canSeeScope } from '../domain/scope';
import type { ShareStore } from '../shares/ports';

/**
 * GET /v1/workspaces/{workspaceId}/connections: the connections a workspace may use, from
 * the read model, never a walk of the trees. A page holds only what the caller may see (an org's
 * integration is invisible outside that org), so it can hold fewer than `limit` items.
 */
export function createHandler(scope: TenantScope<{ readonly store: ShareStore }>) {
  async function list(store: ShareStore, tenant: TenantContext, workspaceId: string, page: PageRequest) {
    const result = await store.list(tenant.tenantId, workspaceId, page);
    return {
      items: result.items
        .filter((entry) => canSeeScope(tenant, entry.scope))
        .map(({ integrationId, scope, via, connection }) => ({ integrationId, scope, via, connection })),
      nextCursor: result.nextCursor,
    };
  }
  return httpRoutes(
    scopedRoutes(scope, {
      'GET /v1/workspaces/{workspaceId}/connections': async ({ tenant, path, query }, { store }) => ({
        status: 200,
        body: await list(store, tenant, path.workspaceId, query),
      }),
    }),
  );
}

const env = loadEnv(envSchema('TABLE_NAME', 'TENANT_TABLE_ROLE_ARN'));

export const handler = createHandler(
  perTenant((db) => workspaceAdapters(db, env.TABLE_NAME), env.TENANT_TABLE_ROLE_ARN),
);
