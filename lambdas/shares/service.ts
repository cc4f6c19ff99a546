import { isDeepStrictEqual } from 'node:util';
import type { Scope } from '../../schemas/api/common';
import type { Connection } from '../../schemas/sync';
import { ALL_WORKSPACES, workspaceKeysOf } from '../domain/workspace-keys';
import type { ScopeLookup, ShareEntry, ShareKey, ShareStore } from './ports';

/** A connection item as the table's stream saw it change: null before a creation, after a deletion. */
export interface ConnectionChange {
  readonly tenantId: string;
  readonly integrationId: string;
  readonly accountId: string;
  readonly before: Connection | null;
  readonly after: Connection | null;
}

/**
 * The workspaces' read model, kept from the table's stream: each connection is filed under every
 * workspace its effective permissions name (or under `*` for all), and moved or removed as
 * they change. The stream gives each item's changes in order, and the last one wins.
 */
export function makeShareProjector({ store, scopes }: { store: ShareStore; scopes: ScopeLookup }) {
  return {
    async project(changes: readonly ConnectionChange[]): Promise<{ puts: number; deletes: number }> {
      /** Key → the entry to write, or null to remove it: only the last state of a batch counts. */
      const outcome = new Map<string, { key: ShareKey; entry: ShareEntry | null }>();
      const scopeCache = new Map<string, Scope | undefined>();
      for (const change of changes) {
        const before = workspaceKeysOf(change.before);
        const after = workspaceKeysOf(change.after);
        const keyOf = (workspaceKey: string): ShareKey => ({
          tenantId: change.tenantId,
          workspaceKey,
          integrationId: change.integrationId,
          accountId: change.accountId,
        });
        for (const workspaceKey of before.filter((key) => !after.includes(key))) {
          const key = keyOf(workspaceKey);
          outcome.set(idOf(key), { key, entry: null });
        }
        if (!change.after || isDeepStrictEqual(change.before, change.after)) continue;
        const integration = `${change.tenantId}#${change.integrationId}`;
        if (!scopeCache.has(integration))
          scopeCache.set(integration, await scopes.scopeOf(change.tenantId, change.integrationId));
        const scope = scopeCache.get(integration);
        // The integration is gone: its deletion run removes each connection, and so each share.
        if (!scope) continue;
        for (const workspaceKey of after) {
          const key = keyOf(workspaceKey);
          outcome.set(idOf(key), { key, entry: shareEntryOf(key, scope, change.after) });
        }
      }
      const results = [...outcome.values()];
      const puts = results.flatMap((result) => (result.entry ? [result.entry] : []));
      const deletes = results.flatMap((result) => (result.entry ? [] : [result.key]));
      await store.write(puts, deletes);
      return { puts: puts.length, deletes: deletes.length };
    },
  };
}

/** The read model's entry for a connection under one workspace key. */
export function shareEntryOf(key: ShareKey, scope: Scope, connection: Connection): ShareEntry {
  return { ...key, scope, via: key.workspaceKey === ALL_WORKSPACES ? 'all' : 'selected', connection };
}

export function idOf(key: ShareKey): string {
  return `${key.tenantId}#${key.workspaceKey}#${key.integrationId}#${key.accountId}`;
}
