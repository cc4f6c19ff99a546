import type { Clock } from '../core/clock';
import { folderKey, nodeKey } from '../domain/node-key';
import type { Checkpoint, ContainerCursor } from '../domain/sync-runs';
import {
  type DiscoveredAccount,
  type DiscoveredOu,
  InvalidPageTokenError,
  type OrgPage,
  ParentNotFoundError,
  PermissionDeniedError,
} from '../ports/customer-roles';
import type { MirrorIndex } from './mirror-index';
import type { ChangeWriter } from './mirror-writer';
import type { PacedOrganizations } from './organizations';
import { type PlanContext, planDenied, planPage, planRestored } from './reconcile';

export interface WalkCounters {
  foldersSeen: number;
  accountsSeen: number;
}

export interface WalkOptions {
  readonly organizations: PacedOrganizations;
  readonly index: MirrorIndex;
  readonly checkpoint: Checkpoint;
  readonly context: Omit<PlanContext, 'takenHandles'>;
  readonly write: ChangeWriter;
  readonly clock: Clock;
  /** Containers listed at once; each lists its OUs and accounts in parallel. */
  readonly concurrency: number;
  readonly counters: WalkCounters;
}

type Stream = 'ouToken' | 'accountToken';

/**
 * Walks the organization by parent, breadth first, from the checkpoint's frontier until the
 * frontier is empty or the deadline passes. Each page is reconciled as it arrives; a container's
 * missing children are only recorded, once its listing is complete. At the deadline, containers
 * in progress keep their page tokens, so the next step goes on where this one stopped.
 */
export class Walk {
  private readonly queue: MutableCursor[];
  private readonly pendingRemovals: Set<string>;
  private readonly denied: Set<string>;
  private readonly persistentlyDenied: Set<string>;
  private readonly active = new Set<MutableCursor>();
  private wake: (() => void) | undefined;
  /** Set when a worker fails: the others stop at their next page, so the step ends cleanly. */
  private failed = false;
  /** A step always lists at least one page, however small its budget, so runs always advance. */
  private progressed = false;

  constructor(private readonly options: WalkOptions) {
    const { checkpoint } = options;
    this.queue = checkpoint.frontier.map((cursor) => ({ ...cursor, seen: new Set(cursor.seen) }));
    this.pendingRemovals = new Set(checkpoint.pendingRemovals);
    this.denied = new Set(checkpoint.denied);
    this.persistentlyDenied = new Set(checkpoint.persistentlyDenied);
  }

  async run(deadline: number): Promise<Checkpoint> {
    let failure: unknown;
    const workers = Array.from({ length: this.options.concurrency }, () =>
      this.worker(deadline).catch((error: unknown) => {
        if (!this.failed) failure = error;
        this.failed = true;
        this.wake?.();
      }),
    );
    await Promise.all(workers);
    if (this.failed) throw failure;
    return this.checkpoint();
  }

  private stopped(deadline: number): boolean {
    return this.failed || (this.progressed && this.options.clock.now() >= deadline);
  }

  private checkpoint(): Checkpoint {
    const { checkpoint } = this.options;
    return {
      ...checkpoint,
      frontier: [...this.active, ...this.queue].map((cursor) => ({ ...cursor, seen: [...cursor.seen] })),
      pendingRemovals: [...this.pendingRemovals],
      denied: [...this.denied],
      persistentlyDenied: [...this.persistentlyDenied],
    };
  }

  private async worker(deadline: number): Promise<void> {
    for (;;) {
      if (this.stopped(deadline)) return;
      const cursor = this.queue.shift();
      if (!cursor) {
        // Others may still find child OUs; wait for one of them to finish a page.
        if (this.active.size === 0) return;
        await new Promise<void>((resolve) => {
          const previous = this.wake;
          this.wake = () => {
            previous?.();
            resolve();
          };
        });
        continue;
      }
      this.active.add(cursor);
      try {
        await this.list(cursor, deadline);
      } finally {
        this.active.delete(cursor);
        const wake = this.wake;
        this.wake = undefined;
        wake?.();
      }
    }
  }

  /** Lists one container's OUs and accounts in parallel: separate APIs have separate buckets. */
  private async list(cursor: MutableCursor, deadline: number): Promise<void> {
    const { organizations } = this.options;
    try {
      await Promise.all([
        this.stream(cursor, 'ouToken', deadline, (token) =>
          organizations.listOrganizationalUnits(cursor.parentId, token),
        ),
        this.stream(cursor, 'accountToken', deadline, (token) =>
          organizations.listAccounts(cursor.parentId, token),
        ),
      ]);
    } catch (error: unknown) {
      if (error instanceof PermissionDeniedError) return this.deny(cursor, error.action);
      if (!(error instanceof ParentNotFoundError)) throw error;
      // The OU was deleted while we walked: what it held shows up elsewhere, or goes.
      cursor.ouToken = null;
      cursor.accountToken = null;
    }
    if (cursor.ouToken === null && cursor.accountToken === null) await this.complete(cursor);
    else this.queue.push(cursor);
  }

  private async stream(
    cursor: MutableCursor,
    stream: Stream,
    deadline: number,
    fetch: (token: string | undefined) => Promise<OrgPage<DiscoveredOu | DiscoveredAccount>>,
  ): Promise<void> {
    // The next page is asked for while the last one is written, so the store's time hides
    // behind the rate limit's; pages are still reconciled one after another, in order.
    let writing: Promise<void> = Promise.resolve();
    while (cursor[stream] !== null && !this.stopped(deadline)) {
      let page: OrgPage<DiscoveredOu | DiscoveredAccount>;
      try {
        page = await fetch(cursor[stream] ?? undefined);
      } catch (error: unknown) {
        await writing.catch(() => undefined);
        if (!(error instanceof InvalidPageTokenError)) throw error;
        // A saved token expired: list the container again; what was seen stays seen.
        cursor[stream] = undefined;
        continue;
      }
      await writing;
      writing = this.reconcilePage(
        cursor,
        stream === 'ouToken' ? (page.items as DiscoveredOu[]) : [],
        stream === 'accountToken' ? (page.items as DiscoveredAccount[]) : [],
      );
      // Awaited at the next page or below; this only keeps a failure from counting as unhandled.
      writing.catch(() => undefined);
      cursor[stream] = page.nextToken ?? null;
      this.progressed = true;
    }
    await writing;
  }

  private async reconcilePage(
    cursor: MutableCursor,
    ous: readonly DiscoveredOu[],
    accounts: readonly DiscoveredAccount[],
  ): Promise<void> {
    const { index, context, counters, checkpoint, organizations } = this.options;
    const page = { parentId: cursor.parentId, ous, accounts };
    const listing = { ...page, tags: await context.tags.ofListing(organizations, context.scope, page) };
    // A targeted run lists only the OUs it did not know; a full walk lists every one it keeps.
    const unknown = ous.filter((ou) => !checkpoint.targeted || !index.folder(ou.id));
    let found: string[] = [];
    await this.options.write((takenHandles) => {
      const plan = planPage(index, listing, { ...context, takenHandles });
      found = plan.found;
      return plan.changes;
    });
    for (const key of found) {
      cursor.seen.add(key);
      this.pendingRemovals.delete(key);
    }
    for (const ou of unknown.filter((candidate) => found.includes(folderKey(candidate.id)))) {
      if (!this.queue.some((queued) => queued.parentId === ou.id)) this.queue.push(fresh(ou.id));
    }
    counters.foldersSeen += ous.length;
    counters.accountsSeen += accounts.filter((account) => account.state !== 'CLOSED').length;
  }

  /** The whole container is listed: its access is fine, and what it no longer holds is missing. */
  private async complete(cursor: MutableCursor): Promise<void> {
    const { index, context } = this.options;
    await this.options.write(() => {
      const folder = index.folder(cursor.parentId);
      const change = folder && planRestored(folder, context.now);
      return change ? [change] : [];
    });
    this.denied.delete(cursor.parentId);
    for (const node of index.children(cursor.parentId)) {
      const key = nodeKey(node);
      if (!cursor.seen.has(key)) this.pendingRemovals.add(key);
    }
  }

  private async deny(cursor: MutableCursor, action: string): Promise<void> {
    const { index, context } = this.options;
    const folder = index.folder(cursor.parentId);
    if (!folder) throw new PermissionDeniedError(action);
    // Denied before this run too: the next complete run may remove what lies below it.
    if (folder.access === 'denied' && !this.denied.has(folder.id)) this.persistentlyDenied.add(folder.id);
    this.denied.add(folder.id);
    await this.options.write(() => {
      const change = planDenied(folder, action, context.now);
      return change ? [change] : [];
    });
  }
}

interface MutableCursor {
  readonly parentId: string;
  ouToken: string | null | undefined;
  accountToken: string | null | undefined;
  readonly seen: Set<string>;
}

function fresh(parentId: string): MutableCursor {
  return { parentId, ouToken: undefined, accountToken: undefined, seen: new Set() };
}

export function firstCursor(rootId: string): ContainerCursor {
  return { parentId: rootId, ouToken: undefined, accountToken: undefined, seen: [] };
}
