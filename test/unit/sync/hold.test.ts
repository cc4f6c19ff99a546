import type { TenantRequest } from '../../../lambdas/core/tenant-context';
import { auditTrail } from '../../../lambdas/domain/audit';
import type { Change } from '../../../lambdas/domain/sync-runs';
import { workspaceKeysOf } from '../../../lambdas/domain/workspace-keys';
import { makeNodeService } from '../../../lambdas/integrations/nodes';
import type { MirrorStore } from '../../../lambdas/ports/sync-state';
import { ScopeRules } from '../../../lambdas/sync/filters';
import { MirrorIndex } from '../../../lambdas/sync/mirror-index';
import { type PlanContext, planPage } from '../../../lambdas/sync/reconcile';
import { TagReading } from '../../../lambdas/sync/tags';
import type { Connection, MirrorNode } from '../../../schemas/sync';
import { aConnection, anIntegration } from '../../fixtures/records';

const ROOT = 'r-k3v9';
const NOW = '2026-11-30T12:00:00.000Z';
const integration = anIntegration({ newAccounts: 'hold' });
const KNOWN = '210000005065';
const NEWCOMER = '210000099991';
const account = (id: string, name: string) => ({ id, name, email: null, state: 'ACTIVE' as const });

function context(index: MirrorIndex, holdNewAccounts: boolean): PlanContext {
  return {
    integration,
    managementAccountId: integration.accountId,
    takenHandles: new Set(),
    now: NOW,
    partition: 'aws',
    scope: new ScopeRules(null, index, null),
    holdNewAccounts,
    tags: TagReading.none(index),
  };
}

function planned(index: MirrorIndex, holdNewAccounts: boolean): Change[] {
  const listing = {
    parentId: ROOT,
    ous: [],
    accounts: [account(KNOWN, 'network renamed'), account(NEWCOMER, 'fresh')],
    tags: new Map(),
  };
  return planPage(index, listing, context(index, holdNewAccounts)).changes;
}

const known = (held: boolean) =>
  aConnection(integration.id, { permissions: { share: 'all' } }, { id: KNOWN, parentId: ROOT, held });

describe('holding new accounts', () => {
  it('creates a new connection held only when the run holds new accounts, and changes no known one', () => {
    const holding = planned(new MirrorIndex([known(false)]), true);
    const including = planned(new MirrorIndex([known(false)]), false);

    const createdHeld = (changes: Change[]) =>
      changes.flatMap((change) => (change.kind === 'create' ? [(change.node as Connection).held] : []));
    const updated = (changes: Change[]) =>
      changes.flatMap((change) => (change.kind === 'update' ? [change.after as Connection] : []));
    expect(createdHeld(holding)).toEqual([true]);
    expect(createdHeld(including)).toEqual([false]);
    expect(updated(holding).map((connection) => [connection.id, connection.held])).toEqual([[KNOWN, false]]);
  });

  it('keeps a held connection held when a sync updates it', () => {
    const changes = planned(new MirrorIndex([known(true)]), false);

    const update = changes.find((change) => change.kind === 'update');
    expect(update?.kind === 'update' && (update.after as Connection).held).toBe(true);
  });

  it('files a held connection under no workspace, whatever its permissions say', () => {
    expect(workspaceKeysOf(known(false))).toEqual(['*']);
    expect(workspaceKeysOf(known(true))).toEqual([]);
  });
});

describe('approve and reject', () => {
  const tenant: TenantRequest = {
    tenantId: 'acme',
    subject: 'owner',
    roles: ['tenant_owner'],
    orgIds: [],
    correlationId: 'request-1',
  };

  function setup(stored: MirrorNode) {
    const calls: string[] = [];
    const edits: Change[] = [];
    const mirror = {
      node: async () => stored,
      edit: async (_target: unknown, change: Change) => {
        calls.push(`edit ${change.kind}`);
        edits.push(change);
      },
    } as Partial<MirrorStore> as MirrorStore;
    const service = makeNodeService({
      integrations: {
        get: async () => integration,
        excludeAccount: async (_tenant, _integrationId, accountId) => {
          calls.push(`exclude ${accountId}`);
        },
      },
      mirror,
      syncs: { requestSync: async () => ({ runId: 'run', coalesced: false }) },
      health: { health: async () => new Map() },
      audit: auditTrail({ retentionDays: 400 }),
      now: () => new Date(NOW),
    });
    return { service, calls, edits };
  }

  it('approve releases a held connection in one versioned update, and leaves a released one alone', async () => {
    const held = setup(known(true));
    const released = setup(known(false));

    const after = await held.service.approve(tenant, integration.id, KNOWN);
    const unchanged = await released.service.approve(tenant, integration.id, KNOWN);

    expect(after).toMatchObject({ held: false, version: 2, updatedAt: NOW });
    expect(held.edits).toEqual([{ kind: 'update', before: known(true), after }]);
    expect(unchanged).toEqual(known(false));
    expect(released.calls).toEqual([]);
  });

  it('reject excludes the account first, then deletes its connection; a connection not held is refused', async () => {
    const held = setup(known(true));
    const released = setup(known(false));

    await held.service.reject(tenant, integration.id, KNOWN);
    const refused = await released.service
      .reject(tenant, integration.id, KNOWN)
      .catch((error: unknown) => error);

    expect(held.calls).toEqual([`exclude ${KNOWN}`, 'edit delete']);
    expect(refused).toMatchObject({ code: 'CONNECTION_NOT_HELD', status: 409 });
    expect(released.calls).toEqual([]);
  });
});
