import type { Connection } from '../../schemas/sync';
import { logger } from '../core/logger';
import { workspaceKeysOf } from '../domain/workspace-keys';
import type { ScopeLookup, ShareStore } from './ports';
import { idOf, shareEntryOf } from './service';

export interface RebuildDeps {
  /** The integration's connections, as the mirror holds them. */
  readonly connections: (tenantId: string, integrationId: string) => Promise<readonly Connection[]>;
  readonly store: ShareStore;
  readonly scopes: ScopeLookup;
}

/**
 * Rebuilds one integration's part of the workspaces' read model from its mirror: every
 * connection filed under each workspace its effective permissions name, and every other entry
 * of the integration removed. For when the projector's dead-letter queue kept records, or the
 * read model is in doubt. Writes are idempotent, so running it twice changes nothing more.
 */
export async function rebuildReadModel(
  deps: RebuildDeps,
  tenantId: string,
  integrationId: string,
): Promise<{ readonly puts: number; readonly deletes: number }> {
  const scope = await deps.scopes.scopeOf(tenantId, integrationId);
  // An integration that is gone shares nothing: only its leftovers go.
  const connections = scope === undefined ? [] : await deps.connections(tenantId, integrationId);
  const puts = connections.flatMap((connection) =>
    workspaceKeysOf(connection).map((workspaceKey) =>
      shareEntryOf(
        { tenantId, integrationId, workspaceKey, accountId: connection.id },
        scope ?? { level: 'tenant' },
        connection,
      ),
    ),
  );
  const wanted = new Set(puts.map(idOf));
  const deletes = (await deps.store.keysOf(tenantId, integrationId)).filter((key) => !wanted.has(idOf(key)));
  await deps.store.write(puts, deletes);
  logger.info('read model rebuilt', { integrationId, puts: puts.length, deletes: deletes.length });
  return { puts: puts.length, deletes: deletes.length };
}
