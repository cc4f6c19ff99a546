import { ALL_WORKSPACES } from '../../../lambdas/domain/workspace-keys';
import type { ShareEntry, ShareKey, ShareStore } from '../../../lambdas/shares/ports';
import { rebuildReadModel } from '../../../lambdas/shares/rebuild';
import { type ConnectionChange, makeShareProjector, shareEntryOf } from '../../../lambdas/shares/service';
import type { Permissions, Scope } from '../../../schemas/api/common';
import type { Connection } from '../../../schemas/sync';
import { aConnection } from '../../fixtures/records';

const INTEGRATION = '3c2e832c-5d0b-4043-a55c-3f1118238ac7';
const TENANT = 'tenant-a';

/** The read model in memory, keyed as the table keys it. */
class MemoryShares implements ShareStore {
  readonly entries = new Map<string, ShareEntry>();
  writes = 0;

  async write(puts: readonly ShareEntry[], deletes: readonly ShareKey[]) {
    this.writes += 1;
    for (const key of deletes) this.entries.delete(idOf(key));
    for (const entry of puts) this.entries.set(idOf(entry), entry);
  }

  async list(): Promise<never> {
    throw new Error('not used by the projector');
  }

  async keysOf(tenantId: string, integrationId: string): Promise<readonly ShareKey[]> {
    return [...this.entries.values()].filter(
      (entry) => entry.tenantId === tenantId && entry.integrationId === integrationId,
    );
  }

  /** Workspace key → sorted account ids. */
  view(): Record<string, string[]> {
    const view: Record<string, string[]> = {};
    for (const entry of this.entries.values()) {
      view[entry.workspaceKey] = [...(view[entry.workspaceKey] ?? []), entry.accountId].sort();
    }
    return view;
  }
}

function idOf(key: ShareKey) {
  return `${key.workspaceKey}/${key.accountId}`;
}

function connection(id: string, permissions: Permissions, version = 1): Connection {
  return aConnection(
    INTEGRATION,
    { permissions },
    { id, parentId: 'r-root', version, name: id, handle: `a_${id}`, roleArn: 'role' },
  );
}

function change(before: Connection | null, after: Connection | null): ConnectionChange {
  const accountId = (after ?? before)?.id ?? '';
  return { tenantId: TENANT, integrationId: INTEGRATION, accountId, before, after };
}

function setup(scope: Scope | undefined) {
  const store = new MemoryShares();
  const lookups: string[] = [];
  const projector = makeShareProjector({
    store,
    scopes: {
      scopeOf: async (_tenant, integrationId) => {
        lookups.push(integrationId);
        return scope;
      },
    },
  });
  return { store, projector, lookups };
}

const none: Permissions = { share: 'none' };
const all: Permissions = { share: 'all' };
const selected = (...workspaceIds: string[]): Permissions => ({ share: 'selected', workspaceIds });

describe('the workspaces’ read model', () => {
  it('files a connection under each selected workspace, or under * for all, and moves it as permissions change', async () => {
    const { store, projector } = setup({ level: 'tenant' });
    const a1 = connection('111111111111', selected('ws-1', 'ws-2'));
    const b1 = connection('222222222222', all);

    await projector.project([change(null, a1), change(null, b1)]);
    expect(store.view()).toEqual({
      'ws-1': ['111111111111'],
      'ws-2': ['111111111111'],
      [ALL_WORKSPACES]: ['222222222222'],
    });

    const a2 = connection('111111111111', selected('ws-2', 'ws-3'), 2);
    const b2 = connection('222222222222', none, 2);
    await projector.project([change(a1, a2), change(b1, b2)]);

    expect(store.view()).toEqual({ 'ws-2': ['111111111111'], 'ws-3': ['111111111111'] });
    expect([...store.entries.values()].every((entry) => entry.connection.version === 2)).toBe(true);
  });

  it('removes every share of a deleted connection', async () => {
    const { store, projector } = setup({ level: 'tenant' });
    const a = connection('111111111111', selected('ws-1', 'ws-2'));
    await projector.project([change(null, a)]);

    await projector.project([change(a, null)]);

    expect(store.entries.size).toBe(0);
  });

  it('keeps only the last state of a connection changed several times in one batch', async () => {
    const { store, projector } = setup({ level: 'tenant' });
    const v1 = connection('111111111111', selected('ws-1'));
    const v2 = connection('111111111111', all, 2);
    const v3 = connection('111111111111', selected('ws-1'), 3);

    const written = await projector.project([change(null, v1), change(v1, v2), change(v2, v3)]);

    expect(store.view()).toEqual({ 'ws-1': ['111111111111'] });
    expect(store.entries.get('ws-1/111111111111')?.connection.version).toBe(3);
    expect(written).toEqual({ puts: 1, deletes: 1 });
  });

  it('records the integration’s scope on each entry, looked up once a batch', async () => {
    const { store, projector, lookups } = setup({ level: 'org', orgId: 'org-a' });

    await projector.project([
      change(null, connection('111111111111', all)),
      change(null, connection('222222222222', all)),
    ]);

    expect(lookups).toEqual([INTEGRATION]);
    expect([...store.entries.values()].map((entry) => entry.scope)).toEqual([
      { level: 'org', orgId: 'org-a' },
      { level: 'org', orgId: 'org-a' },
    ]);
  });

  it('writes nothing for a connection whose integration is gone, but still removes its shares', async () => {
    const live = setup({ level: 'tenant' });
    const a = connection('111111111111', selected('ws-1'));
    await live.projector.project([change(null, a)]);
    const gone = setup(undefined);
    gone.store.entries.set('ws-1/111111111111', [...live.store.entries.values()][0] as ShareEntry);

    await gone.projector.project([change(null, connection('222222222222', all)), change(a, null)]);

    expect(gone.store.entries.size).toBe(0);
  });
});

describe('rebuilding the read model from the mirror', () => {
  it('files every connection as its permissions say, removes what no longer holds, and is idempotent', async () => {
    const store = new MemoryShares();
    const mirror = [
      connection('111111111111', { share: 'all' }),
      connection('222222222222', { share: 'selected', workspaceIds: ['ws-a'] }),
      connection('333333333333', { share: 'none' }),
    ];
    // A stale entry (no longer shared) and a missing one (ws-a's).
    await store.write(
      [
        shareEntryOf(
          { tenantId: TENANT, integrationId: INTEGRATION, workspaceKey: 'ws-b', accountId: '333333333333' },
          { level: 'tenant' },
          connection('333333333333', { share: 'selected', workspaceIds: ['ws-b'] }),
        ),
      ],
      [],
    );
    const deps = {
      connections: async () => mirror,
      store,
      scopes: { scopeOf: async () => ({ level: 'tenant' }) as Scope },
    };

    const first = await rebuildReadModel(deps, TENANT, INTEGRATION);
    const again = await rebuildReadModel(deps, TENANT, INTEGRATION);

    expect(store.view()).toEqual({ '*': ['111111111111'], 'ws-a': ['222222222222'] });
    expect(first).toEqual({ puts: 2, deletes: 1 });
    expect(again).toEqual({ puts: 2, deletes: 0 });
  });

  it('removes every entry of an integration that is gone', async () => {
    const { store, projector } = setup({ level: 'tenant' });
    await projector.project([change(null, connection('111111111111', { share: 'all' }))]);

    const outcome = await rebuildReadModel(
      { connections: async () => [], store, scopes: { scopeOf: async () => undefined } },
      TENANT,
      INTEGRATION,
    );

    expect(outcome).toEqual({ puts: 0, deletes: 1 });
    expect(store.view()).toEqual({});
  });
});
