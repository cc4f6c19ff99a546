import { isDeepStrictEqual } from 'node:util';
import type { Integration } from '../../schemas/api/integrations';
import type { ModifyNode } from '../../schemas/api/nodes';
import type { MirrorNode, NodeOverrides } from '../../schemas/sync';
import { AppError, NotFoundError, VersionConflictError } from '../core/errors';
import { logger } from '../core/logger';
import type { TenantContext, TenantRequest } from '../core/tenant-context';
import type { AuditedChange, AuditTrail } from '../domain/audit';
import { changeEventOf, originContext } from '../domain/change-events';
import { connectionView } from '../domain/connection-regions';
import { effectiveSettings, integrationSettings } from '../domain/settings';
import {
  type Change,
  IntegrationDeletingError,
  MirrorConflictError,
  NodeHandleTakenError,
} from '../domain/sync-runs';
import type { MemberHealthStore } from '../ports/member-health';
import type { MirrorStore } from '../ports/sync-state';
import type { SyncRequests } from '../ports/syncs';
import { startSettingsRun, versionOf } from './change-rules';
import type { IntegrationService } from './service';

export interface NodeDeps {
  readonly integrations: Pick<IntegrationService, 'get' | 'excludeAccount'>;
  readonly mirror: MirrorStore;
  readonly syncs: Pick<SyncRequests, 'requestSync'>;
  readonly health: Pick<MemberHealthStore, 'health'>;
  readonly audit: AuditTrail;
  readonly now?: () => Date;
}

/** Another folder or connection of the tenant holds the handle. */
export class NodeHandleTakenApiError extends AppError {
  constructor(handle: string) {
    super('HANDLE_TAKEN', `Another folder or connection already has the handle ${handle}.`, {
      hint: 'Choose another handle.',
    });
  }
}

/** Approve and reject are for connections held for approval. */
export class ConnectionNotHeldError extends AppError {
  constructor(accountId: string) {
    super('CONNECTION_NOT_HELD', `The connection ${accountId} is not held for approval.`, {
      hint: 'To leave a connection out of the mirror, exclude its account in the scope filters.',
    });
  }
}

const SETTINGS = ['regions', 'options', 'permissions'] as const;

/** Read and change one folder or connection of an integration's mirror: its handle, settings and sharing. */
export function makeNodeService({
  integrations,
  mirror,
  syncs,
  health,
  audit,
  now = () => new Date(),
}: NodeDeps) {
  async function find(tenant: TenantContext, integrationId: string, type: MirrorNode['type'], id: string) {
    const integration = await integrations.get(tenant, integrationId);
    const node = await mirror.node(tenant.tenantId, integrationId, type, id);
    if (!node) throw new NotFoundError(type === 'folder' ? 'The folder' : 'The connection');
    return { integration, node };
  }

  /** Writes a change made over the API with its event, and its audit entry when it has one. */
  async function editNode(
    tenant: TenantRequest,
    integration: Integration,
    change: Change,
    audited?: Pick<AuditedChange, 'action' | 'changes'>,
  ): Promise<void> {
    const integrationId = integration.id;
    const ctx = originContext(tenant, integration);
    const node = change.kind === 'update' ? change.after : change.node;
    const entry =
      audited &&
      audit.entry(tenant, {
        ...audited,
        target: { type: node.type, id: node.id },
        integrationId,
        scope: integration.scope,
      });
    try {
      await mirror.edit(
        { tenantId: tenant.tenantId, integrationId },
        change,
        (edit, sequence) => changeEventOf(edit, ctx, sequence),
        entry,
      );
    } catch (error: unknown) {
      if (error instanceof NodeHandleTakenError) throw new NodeHandleTakenApiError(error.handle);
      // Another writer changed the node after we read it: as stale as a wrong If-Match.
      if (error instanceof MirrorConflictError) {
        const { type, id } = change.kind === 'update' ? change.after : change.node;
        const current = await mirror.node(tenant.tenantId, integrationId, type, id);
        if (!current) throw new NotFoundError(type === 'folder' ? 'The folder' : 'The connection');
        throw new VersionConflictError(current.version);
      }
      throw error;
    }
  }

  return {
    /** A folder, or a connection with its member role's last check. */
    async get(tenant: TenantContext, integrationId: string, type: MirrorNode['type'], id: string) {
      const { node } = await find(tenant, integrationId, type, id);
      if (node.type === 'folder') return node;
      const healths = await health.health(tenant.tenantId, integrationId, [node.id]);
      return connectionView(node, healths.get(node.id) ?? null);
    },

    /**
     * PATCH with `If-Match`: the node's handle (the user's from then on) and its overrides. The
     * node's own effective settings change at once; a folder's subtree follows in a `settings`
     * run, each node that changes with its own event.
     */
    async modify(
      tenant: TenantRequest,
      integrationId: string,
      type: MirrorNode['type'],
      id: string,
      ifMatch: string | undefined,
      patch: ModifyNode,
    ): Promise<MirrorNode> {
      const { integration, node } = await find(tenant, integrationId, type, id);
      if (versionOf(ifMatch) !== node.version) throw new VersionConflictError(node.version);
      if (integration.status === 'deleting') throw new IntegrationDeletingError();
      const overrides: Record<string, unknown> = { ...node.overrides };
      for (const setting of SETTINGS) {
        const value = patch[setting];
        if (value === null) delete overrides[setting];
        else if (value !== undefined) overrides[setting] = value;
      }
      const parent =
        node.parentId === null
          ? undefined
          : await mirror.node(tenant.tenantId, integrationId, 'folder', node.parentId);
      const inherited = parent ? parent.effective : integrationSettings(integration);
      const edited = {
        ...node,
        ...(patch.handle === undefined ? {} : { handle: patch.handle, handleSource: 'user' as const }),
        overrides: overrides as NodeOverrides,
        effective: effectiveSettings({ type, id, overrides: overrides as NodeOverrides }, inherited),
      };
      if (isDeepStrictEqual(edited, node)) return node;
      const after = { ...edited, version: node.version + 1, updatedAt: now().toISOString() } as MirrorNode;
      const changes = (['handle', 'overrides'] as const)
        .filter((field) => !isDeepStrictEqual(node[field], after[field]))
        .map((field) => ({ field, from: node[field], to: after[field] }));
      await editNode(
        tenant,
        integration,
        { kind: 'update', before: node, after },
        { action: type === 'folder' ? 'folder.modified' : 'connection.modified', changes },
      );
      logger.info('folder or connection modified', { integrationId, type, id, fields: Object.keys(patch) });
      const inheritedBelow = type === 'folder' && !isDeepStrictEqual(after.effective, node.effective);
      // The subtree follows in a run that reads nothing from Organizations.
      if (inheritedBelow) {
        await startSettingsRun(syncs, {
          tenantId: tenant.tenantId,
          integrationId,
          correlationId: tenant.correlationId,
          wholeOrganization: false,
        });
      }
      return after;
    },

    /**
     * Releases a held connection: it is shared as its folder says from now on, announced with
     * `Connection Updated`. Approving one that is not held changes nothing.
     */
    async approve(tenant: TenantRequest, integrationId: string, accountId: string): Promise<MirrorNode> {
      const { integration, node } = await find(tenant, integrationId, 'connection', accountId);
      if (node.type !== 'connection' || !node.held) return node;
      const after: MirrorNode = {
        ...node,
        held: false,
        version: node.version + 1,
        updatedAt: now().toISOString(),
      };
      await editNode(
        tenant,
        integration,
        { kind: 'update', before: node, after },
        { action: 'connection.approved', changes: [{ field: 'held', from: true, to: false }] },
      );
      logger.info('held connection approved', { integrationId, accountId });
      return after;
    },

    /**
     * Keeps a held account out: the integration's scope filters exclude it from now on, and its
     * connection goes at once, announced with `Connection Deleted`. Should the second step fail,
     * the next full sync removes what the filters exclude.
     */
    async reject(tenant: TenantRequest, integrationId: string, accountId: string): Promise<void> {
      const { integration, node } = await find(tenant, integrationId, 'connection', accountId);
      if (node.type !== 'connection' || !node.held) throw new ConnectionNotHeldError(accountId);
      await integrations.excludeAccount(tenant, integrationId, accountId);
      await editNode(tenant, integration, { kind: 'delete', node });
      logger.info('held connection rejected', { integrationId, accountId });
    },
  };
}
