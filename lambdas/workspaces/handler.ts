import { listQuerySchema } from '../../schemas/api/common';
import { workspacePathSchema } from '../../schemas/api/workspaces';
import { envSchema } from '../../schemas/environment';
import { workspaceAdapters } from '../composition/edges';
import { createDocumentClient } from '../core/dynamodb';
import { loadEnv } from '../core/env';
import { httpHandler, httpRoutes } from '../core/http';
import type { TenantContext } from '../core/tenant-context';
import { canSeeScope } from '../domain/scope';
import type { ShareStore } from '../shares/ports';

/**
 * GET /v1/workspaces/{workspaceId}/connections: the connections a workspace may use, from
 * the read model, never a walk of the trees. A page holds only what the caller may see (an org's
 * integration is invisible outside that org), so it can hold fewer than `limit` items.
 */
export function createHandler({ store }: { store: ShareStore }) {
  async function list(tenant: TenantContext, workspaceId: string, page: { limit: number; cursor?: string }) {
    const result = await store.list(tenant.tenantId, workspaceId, page);
    return {
      items: result.items
        .filter((entry) => canSeeScope(tenant, entry.scope))
        .map(({ integrationId, scope, via, connection }) => ({ integrationId, scope, via, connection })),
      nextCursor: result.nextCursor,
    };
  }
  return httpRoutes({
    'GET /v1/workspaces/{workspaceId}/connections': httpHandler(
      { path: workspacePathSchema, query: listQuerySchema },
      async ({ tenant, path, query }) => ({ status: 200, body: await list(tenant, path.workspaceId, query) }),
    ),
  });
}

const env = loadEnv(envSchema('TABLE_NAME'));

export const handler = createHandler(workspaceAdapters(createDocumentClient(), env.TABLE_NAME));
