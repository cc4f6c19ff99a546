import { isDeepStrictEqual } from 'node:util';
import type { Partition } from '../../schemas/api/common';
import type { Integration } from '../../schemas/api/integrations';
import type { EffectiveSettings, Folder, MirrorNode } from '../../schemas/sync';
import { connectionKey, folderKey } from '../domain/node-key';
import { DEFAULT_MEMBER_ROLE_NAME, roleArnOf } from '../domain/role-arn';
import { effectiveSettings, integrationSettings } from '../domain/settings';
import type { Change } from '../domain/sync-runs';
import type { DiscoveredAccount, DiscoveredOu } from '../ports/customer-roles';
import type { ScopeRules } from './filters';
import { handleCandidates } from './handles';
import type { MirrorIndex } from './mirror-index';
import type { TagReading, Tags } from './tags';

export interface PlanContext {
  readonly integration: Integration;
  readonly managementAccountId: string;
  /** Handles other integrations of the tenant hold, learned from refused writes. */
  readonly takenHandles: ReadonlySet<string>;
  readonly now: string;
  /** From the organization's ARN: member role ARNs are built in it. */
  readonly partition: Partition;
  /** The integration's scope filters: what they leave out is neither written nor found. */
  readonly scope: ScopeRules;
  /** New connections are created held (the integration holds new accounts, after its first sync). */
  readonly holdNewAccounts: boolean;
  /** Which tags the run reads. */
  readonly tags: TagReading;
}

export interface ContainerListing {
  readonly parentId: string;
  readonly ous: readonly DiscoveredOu[];
  readonly accounts: readonly DiscoveredAccount[];
  /** The tags of the OUs and accounts, where the run reads them. */
  readonly tags: ReadonlyMap<string, Tags>;
}

export interface PagePlan {
  readonly changes: Change[];
  /** Keys of the nodes listed. */
  readonly found: string[];
}

/**
 * Compares one page of a container's listing with the stored mirror. New nodes are created;
 * renamed, moved (stored under another parent) or changed nodes are updated. What the container
 * no longer holds is the walk's business, once the whole listing is in. A CLOSED account counts
 * as gone, and a node outside the scope filters as not there, so neither is found.
 */
export function planPage(index: MirrorIndex, listing: ContainerListing, ctx: PlanContext): PagePlan {
  const handles = new HandleChooser(index, ctx);
  const changes: Change[] = [];
  const found: string[] = [];
  const inherited = inheritedAt(index, ctx.integration, listing.parentId);
  for (const ou of listing.ous) {
    if (!ctx.scope.keepsFolder(ou.id, listing.parentId)) continue;
    const stored = index.folder(ou.id);
    const desired = {
      parentId: listing.parentId,
      name: ou.name,
      tags: listing.tags.get(ou.id),
      effective: effectiveSettings(
        { type: 'folder', id: ou.id, overrides: stored?.overrides ?? {} },
        inherited,
      ),
    };
    found.push(folderKey(ou.id));
    if (!stored) {
      changes.push({
        kind: 'create',
        node: {
          type: 'folder',
          id: ou.id,
          version: 1,
          ...desired,
          ...handles.generate(ou.name, ou.id),
          overrides: {},
          access: 'ok',
          accessHint: null,
          updatedAt: ctx.now,
        },
      });
    } else if (differs(stored, desired)) {
      changes.push(updateOf(stored, { ...stored, ...desired }, ctx.now));
    }
  }
  for (const account of listing.accounts) {
    const tags = listing.tags.get(account.id);
    if (account.state === 'CLOSED' || !ctx.scope.keepsAccount(account, listing.parentId, tags)) continue;
    const stored = index.connection(account.id);
    const desired = {
      parentId: listing.parentId,
      effective: effectiveSettings(
        { type: 'connection', id: account.id, overrides: stored?.overrides ?? {} },
        inherited,
      ),
      name: account.name,
      email: account.email,
      tags,
      state: account.state,
      disabled: account.state !== 'ACTIVE',
      roleArn: connectionRoleArn(ctx, account.id),
      managementAccount: account.id === ctx.managementAccountId,
    };
    found.push(connectionKey(account.id));
    if (!stored) {
      changes.push({
        kind: 'create',
        node: {
          type: 'connection',
          id: account.id,
          version: 1,
          ...desired,
          ...handles.generate(account.name, account.id),
          overrides: {},
          held: ctx.holdNewAccounts,
          updatedAt: ctx.now,
        },
      });
    } else if (differs(stored, desired)) {
      changes.push(updateOf(stored, { ...stored, ...desired }, ctx.now));
    }
  }
  return { changes, found };
}

/** The only connection of an `account` integration: the role's own account. */
export function planSingleAccount(index: MirrorIndex, ctx: PlanContext): Change[] {
  const { integration } = ctx;
  const stored = index.connection(integration.accountId);
  const desired = {
    parentId: null,
    effective: effectiveSettings(
      { type: 'connection', id: integration.accountId, overrides: stored?.overrides ?? {} },
      integrationSettings(integration),
    ),
    name: integration.handle,
    email: null,
    state: 'ACTIVE' as const,
    disabled: false,
    roleArn: integration.roleArn,
    managementAccount: false,
  };
  const changes: Change[] = index
    .all()
    .filter((node) => node.id !== integration.accountId)
    .map((node) => ({ kind: 'delete', node }));
  if (!stored) {
    changes.push({
      kind: 'create',
      node: {
        type: 'connection',
        id: integration.accountId,
        version: 1,
        ...desired,
        ...new HandleChooser(index, ctx).generate(integration.handle, integration.accountId),
        overrides: {},
        held: false,
        updatedAt: ctx.now,
      },
    });
  } else if (differs(stored, desired)) {
    changes.push(updateOf(stored, { ...stored, ...desired }, ctx.now));
  }
  return changes;
}

/** An OU we could not list before and can now. */
export function planRestored(folder: Folder, now: string): Change | undefined {
  if (folder.access === 'ok') return undefined;
  return updateOf(folder, { ...folder, access: 'ok', accessHint: null }, now);
}

/** Marks an OU whose children we may not list; its subtree stays as it was. */
export function planDenied(folder: Folder, action: string, now: string): Change | undefined {
  const accessHint = `The discovery role may not call ${action} on ${folder.id}; grant it, or use the template's Discovery-only policy.`;
  if (folder.access === 'denied' && folder.accessHint === accessHint) return undefined;
  return updateOf(folder, { ...folder, access: 'denied', accessHint }, now);
}

/**
 * After a run's walk: every node's effective settings follow from its overrides and its
 * parent's, top down, and every generated handle follows the integration's prefix. Returns the
 * updates for the nodes that differ (after a settings change, a move, or a prefix change).
 */
export function planSettings(
  index: MirrorIndex,
  ctx: Pick<PlanContext, 'integration' | 'takenHandles' | 'now'>,
): Change[] {
  const handles = new HandleChooser(index, ctx);
  const top = integrationSettings(ctx.integration);
  const memo = new Map<string, EffectiveSettings>();
  const effectiveOf = (node: MirrorNode): EffectiveSettings => {
    const key = `${node.type}:${node.id}`;
    let effective = memo.get(key);
    if (!effective) {
      const parent = node.parentId === null ? undefined : index.folder(node.parentId);
      effective = effectiveSettings(node, parent ? effectiveOf(parent) : top);
      memo.set(key, effective);
    }
    return effective;
  };
  const prefix = ctx.integration.handlePrefix;
  const changes: Change[] = [];
  for (const node of index.all()) {
    const renamed = node.handleSource === 'generated' && node.handlePrefix !== prefix;
    const desired = {
      effective: effectiveOf(node),
      ...(renamed ? handles.generate(node.name, node.id) : {}),
    };
    if (differs(node, desired)) changes.push(updateOf(node, { ...node, ...desired }, ctx.now));
  }
  return changes;
}

/** What a node under `parentId` inherits: its folder's effective settings, or the integration's. */
function inheritedAt(
  index: MirrorIndex,
  integration: Integration,
  parentId: string | null,
): EffectiveSettings {
  const parent = parentId === null ? undefined : index.folder(parentId);
  return parent ? parent.effective : integrationSettings(integration);
}

/** The management account's connection uses the discovery role when that role lives there. */
function connectionRoleArn(
  { integration, managementAccountId, partition }: PlanContext,
  accountId: string,
): string {
  if (accountId === managementAccountId && integration.accountId === managementAccountId)
    return integration.roleArn;
  return roleArnOf(partition, accountId, integration.memberRoleName ?? DEFAULT_MEMBER_ROLE_NAME);
}

function differs(stored: MirrorNode, desired: Record<string, unknown>): boolean {
  const current = stored as unknown as Record<string, unknown>;
  return Object.entries(desired).some(([field, value]) => !isDeepStrictEqual(current[field], value));
}

function updateOf<T extends MirrorNode>(before: T, after: T, now: string): Change {
  return { kind: 'update', before, after: { ...after, version: before.version + 1, updatedAt: now } };
}

/**
 * Picks the first free handle. A handle once assigned changes only when the integration's
 * prefix does, and a handle a user set never.
 */
class HandleChooser {
  private readonly chosen = new Set<string>();

  constructor(
    private readonly index: MirrorIndex,
    private readonly ctx: Pick<PlanContext, 'integration' | 'takenHandles'>,
  ) {}

  /** A generated handle, with the prefix it was made with. */
  generate(name: string, id: string): Pick<MirrorNode, 'handle' | 'handleSource' | 'handlePrefix'> {
    const prefix = this.ctx.integration.handlePrefix;
    return { handle: this.choose(prefix, name, id), handleSource: 'generated', handlePrefix: prefix };
  }

  private choose(prefix: string | null, name: string, id: string): string {
    const candidates = handleCandidates(prefix, name, id);
    const free = (handle: string) =>
      !this.index.hasHandle(handle) && !this.ctx.takenHandles.has(handle) && !this.chosen.has(handle);
    let handle = candidates.find(free);
    for (let n = 2; handle === undefined; n += 1) {
      const numbered = `${candidates.at(-1)?.slice(0, 58)}_${n}`;
      if (free(numbered)) handle = numbered;
    }
    this.chosen.add(handle);
    return handle;
  }
}
