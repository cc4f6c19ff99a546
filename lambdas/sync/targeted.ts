import { accountIdSchema } from '../../schemas/api/common';
import type { SyncTargets } from '../../schemas/sync';
import { nodeKey, parseNodeKey } from '../domain/node-key';
import type { ContainerCursor } from '../domain/sync-runs';
import type { MirrorIndex } from './mirror-index';
import type { ChangeWriter } from './mirror-writer';
import type { PacedOrganizations } from './organizations';
import { type ContainerListing, type PlanContext, planPage } from './reconcile';
import { firstCursor } from './walk';

export interface TargetedOptions {
  readonly organizations: PacedOrganizations;
  readonly index: MirrorIndex;
  readonly context: Omit<PlanContext, 'takenHandles'>;
  readonly write: ChangeWriter;
  readonly rootId: string;
}

/** AWS Organizations nests OUs at most 5 levels below the root; more parents than that is not a tree. */
const MAX_DEPTH = 6;

/**
 * The reads of a targeted run that are not container listings: each account an event named is
 * found with ListParents and read with DescribeAccount (two calls, whatever the size of its OU),
 * and each account missing from a re-listed container is looked for before it may go. Nothing is
 * guessed: an account is removed only when Organizations says it is in no container.
 */
export class TargetedReads {
  /** Containers to list; new OUs found in them are listed too. */
  readonly containers = new Set<string>();
  /** Nodes proven gone. */
  readonly removals = new Set<string>();

  constructor(private readonly options: TargetedOptions) {}

  /** What the run's targets name: the containers to list, and the accounts read at once. */
  async start(targets: SyncTargets): Promise<void> {
    const { index } = this.options;
    for (const id of targets.containers) await this.addContainer(id);
    for (const ouId of targets.ous) {
      // A rename or deletion shows in the OU's parent; an OU never moves.
      const folder = index.folder(ouId);
      if (folder) this.containers.add(folder.parentId);
      else await this.addContainerOf(ouId);
    }
    for (const accountId of targets.accounts) await this.locateAccount(accountId);
    for (const id of targets.tagged) await this.retag(id);
  }

  /**
   * Accounts missing from a re-listed container: gone, or moved to a container nobody re-listed.
   * OUs cannot move in AWS Organizations, so an OU missing from its complete listing is gone.
   */
  async confirm(missing: Iterable<string>): Promise<void> {
    for (const key of missing) {
      if (this.removals.has(key)) continue;
      const node = parseNodeKey(key);
      if (node.type === 'folder') this.removals.add(key);
      else await this.locateAccount(node.id);
    }
  }

  /** The cursors of the containers to list, for the walk's frontier. */
  frontier(): ContainerCursor[] {
    return [...this.containers].map(firstCursor);
  }

  private async locateAccount(accountId: string): Promise<void> {
    const { organizations, index, context } = this.options;
    const key = nodeKey({ type: 'connection', id: accountId });
    const parentId = await organizations.listParents(accountId);
    if (parentId !== null && !this.known(parentId)) return this.addContainer(parentId);
    const account = parentId === null ? null : await organizations.describeAccount(accountId);
    if (parentId === null || account === null || account.state === 'CLOSED') {
      if (index.get(key)) this.removals.add(key);
      return;
    }
    const tags = await context.tags.ofListing(organizations, context.scope, {
      parentId,
      ous: [],
      accounts: [account],
    });
    await this.writeAccount({ parentId, ous: [], accounts: [account], tags }, account.id);
  }

  /** Writes an account as a one-account listing shows it; outside the scope filters now, it goes. */
  private async writeAccount(listing: ContainerListing, accountId: string): Promise<void> {
    const { index, context, write } = this.options;
    const key = nodeKey({ type: 'connection', id: accountId });
    let found = false;
    await write((takenHandles) => {
      const plan = planPage(index, listing, { ...context, takenHandles });
      found = plan.found.includes(key);
      return plan.changes;
    });
    if (found) this.removals.delete(key);
    else if (index.get(key)) this.removals.add(key);
  }

  /**
   * An account's or OU's tags changed: one ListTagsForResource reads them again, where the mirror
   * holds it and the run reads its tags. An account the mirror lacks may now pass the tag rules,
   * so it is looked for as a new one.
   */
  private async retag(id: string): Promise<void> {
    const { organizations, index, context, write } = this.options;
    const { tags, scope } = context;
    const folder = index.folder(id);
    const connection = index.connection(id);
    if (folder && tags.ous) {
      const listing = {
        parentId: folder.parentId,
        ous: [{ id, name: folder.name }],
        accounts: [],
        tags: new Map([[id, await tags.read(organizations, id)]]),
      };
      await write((takenHandles) => planPage(index, listing, { ...context, takenHandles }).changes);
    } else if (connection?.parentId && tags.accounts) {
      const { name, email, state } = connection;
      await this.writeAccount(
        {
          parentId: connection.parentId,
          ous: [],
          accounts: [{ id, name, email, state }],
          tags: new Map([[id, await tags.read(organizations, id)]]),
        },
        id,
      );
    } else if (!connection && !folder && scope.selectsByTag && accountIdSchema.safeParse(id).success) {
      await this.locateAccount(id);
    }
  }

  /** The container itself if the mirror knows it, else its nearest known ancestor. */
  private async addContainer(id: string): Promise<void> {
    let current = id;
    for (let depth = 0; !this.known(current); depth += 1) {
      if (depth > MAX_DEPTH) throw new Error(`container ${id} is deeper than Organizations allows`);
      const parentId = await this.options.organizations.listParents(current);
      // Gone already: a later event, or the next full walk, accounts for it.
      if (parentId === null) return;
      current = parentId;
    }
    this.containers.add(current);
  }

  private async addContainerOf(ouId: string): Promise<void> {
    const parentId = await this.options.organizations.listParents(ouId);
    if (parentId !== null) await this.addContainer(parentId);
  }

  private known(id: string): boolean {
    return id === this.options.rootId || this.options.index.folder(id) !== undefined;
  }
}
