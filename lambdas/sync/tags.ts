import type { Integration } from '../../schemas/api/integrations';
import type { SyncTrigger } from '../../schemas/sync';
import type { DiscoveredAccount, DiscoveredOu } from '../ports/customer-roles';
import type { ScopeRules } from './filters';
import type { MirrorIndex } from './mirror-index';
import type { PacedOrganizations } from './organizations';

export type Tags = Readonly<Record<string, string>>;

/** Every stored tag is read again at most this often; in between, only those events say changed. */
export const TAG_REREAD_INTERVAL_MS = 24 * 3_600_000;

/**
 * Whether a walk of the whole organization reads every tag again, not only those the mirror
 * lacks: when none was read before, after a change of settings (which may name other keys), or
 * once the last full read is a day old.
 */
export function rereadsAllTags(tagsReadAt: number | null, trigger: SyncTrigger, now: number): boolean {
  return tagsReadAt === null || trigger === 'settings' || now - tagsReadAt >= TAG_REREAD_INTERVAL_MS;
}

/**
 * Which Organizations tags a run reads, and which keys it keeps. Accounts' tags are read when the
 * integration shows tags or its tag rules need them; OUs' only when it shows them. A node's tags
 * are read when the mirror holds none for it yet, or on the daily re-read (`everything`);
 * otherwise the stored ones stand.
 */
export class TagReading {
  /** Whether accounts' tags are read. */
  readonly accounts: boolean;
  /** Whether OUs' tags are read. */
  readonly ous: boolean;
  /** null: every key. */
  private readonly keys: ReadonlySet<string> | null;

  constructor(
    integration: Pick<Integration, 'tags' | 'filters'>,
    private readonly index: MirrorIndex,
    private readonly everything: boolean,
  ) {
    const { tags, filters } = integration;
    const ruleKeys = Object.keys({ ...filters?.accountTags, ...filters?.excludeAccountTags });
    this.ous = tags.read;
    this.accounts = tags.read || ruleKeys.length > 0;
    const shown = tags.read ? tags.keys : [];
    this.keys = shown === undefined ? null : new Set([...shown, ...ruleKeys]);
  }

  /** A run that reads no tags. */
  static none(index: MirrorIndex): TagReading {
    return new TagReading({ tags: { read: false }, filters: null }, index, false);
  }

  /** One account's or OU's tags, read now (every page), with the keys kept. */
  async read(organizations: PacedOrganizations, resourceId: string): Promise<Tags> {
    const tags = await organizations.resourceTags(resourceId);
    const { keys } = this;
    return keys === null ? tags : Object.fromEntries(Object.entries(tags).filter(([key]) => keys.has(key)));
  }

  /**
   * The tags of a listing's OUs and accounts that the other filters keep, stored or read: the
   * reads go out at once, paced by ListTagsForResource's own bucket.
   */
  async ofListing(
    organizations: PacedOrganizations,
    scope: ScopeRules,
    listing: {
      readonly parentId: string;
      readonly ous: readonly DiscoveredOu[];
      readonly accounts: readonly DiscoveredAccount[];
    },
  ): Promise<ReadonlyMap<string, Tags>> {
    const { parentId } = listing;
    const ous = this.ous ? listing.ous.filter((ou) => scope.keepsFolder(ou.id, parentId)) : [];
    const accounts = this.accounts
      ? listing.accounts.filter(
          (account) => account.state !== 'CLOSED' && scope.keepsAccount(account, parentId),
        )
      : [];
    const nodes = [
      ...ous.map((ou) => ({ id: ou.id, stored: this.index.folder(ou.id)?.tags })),
      ...accounts.map((account) => ({ id: account.id, stored: this.index.connection(account.id)?.tags })),
    ];
    const tags = await Promise.all(
      nodes.map(({ id, stored }) =>
        stored === undefined || this.everything ? this.read(organizations, id) : stored,
      ),
    );
    return new Map(nodes.map(({ id }, at) => [id, tags[at] ?? {}]));
  }
}
