import type { ScopeFilters } from '../../schemas/api/integrations';
import type { OrgAccountState } from '../../schemas/sync';
import type { MirrorIndex } from './mirror-index';

const SUSPENDED: ReadonlySet<OrgAccountState> = new Set(['SUSPENDED', 'PENDING_CLOSURE']);

/** OUs nest at most 5 deep; a longer chain means the stored tree is broken. */
const MAX_DEPTH = 8;

/**
 * The integration's scope filters, applied while a run plans its writes. A node they leave out
 * is not "found", so the walk's removal rules take it out of the mirror with its events, and an
 * OU they leave out is not listed at all.
 */
export class ScopeRules {
  private readonly includedOus: ReadonlySet<string>;
  private readonly excludedOus: ReadonlySet<string>;
  private readonly includedAccounts: ReadonlySet<string>;
  private readonly excludedAccounts: ReadonlySet<string>;

  constructor(
    private readonly filters: ScopeFilters | null,
    private readonly index: MirrorIndex,
    /**
     * OUs on the way down to an included OU, found by the full walk's start. A targeted run
     * passes null: the folders the mirror already holds are the way down.
     */
    private readonly waysDown: ReadonlySet<string> | null,
  ) {
    this.includedOus = new Set(filters?.organizationalUnits.include);
    this.excludedOus = new Set(filters?.organizationalUnits.exclude);
    this.includedAccounts = new Set(filters?.accounts.include);
    this.excludedAccounts = new Set(filters?.accounts.exclude);
  }

  /** Whether an account's tags may decide whether it is mirrored. */
  get selectsByTag(): boolean {
    const { accountTags, excludeAccountTags } = this.filters ?? { accountTags: {}, excludeAccountTags: {} };
    return Object.keys(accountTags).length + Object.keys(excludeAccountTags).length > 0;
  }

  /** Whether the walk must find where included OUs sit before it starts. */
  get includesOus(): boolean {
    return this.includedOus.size > 0;
  }

  /** An OU is a folder unless excluded; with includes, only inside one or on the way to one. */
  keepsFolder(ouId: string, parentId: string): boolean {
    if (this.excludedOus.has(ouId) || this.within(parentId, this.excludedOus)) return false;
    if (!this.includesOus) return true;
    if (this.includedOus.has(ouId) || this.within(parentId, this.includedOus)) return true;
    return this.waysDown === null ? this.index.folder(ouId) !== undefined : this.waysDown.has(ouId);
  }

  /**
   * `tags`: the account's, when `selectsByTag`; without them only the other filters are applied,
   * to learn whether reading them is worth a call.
   */
  keepsAccount(
    account: { readonly id: string; readonly state: OrgAccountState },
    parentId: string,
    tags?: Readonly<Record<string, string>>,
  ): boolean {
    if (this.filters === null) return true;
    if (tags !== undefined) {
      const carries = ([key, value]: [string, string | null]) =>
        key in tags && (value === null || tags[key] === value);
      if (!Object.entries(this.filters.accountTags).every(carries)) return false;
      if (Object.entries(this.filters.excludeAccountTags).some(carries)) return false;
    }
    if (this.excludedAccounts.has(account.id)) return false;
    if (this.includedAccounts.size > 0 && !this.includedAccounts.has(account.id)) return false;
    if (this.filters.skipSuspended && SUSPENDED.has(account.state)) return false;
    if (this.within(parentId, this.excludedOus)) return false;
    return !this.includesOus || this.within(parentId, this.includedOus);
  }

  /** Whether the container or one above it (as the mirror stores the tree) is in `ous`. */
  private within(containerId: string, ous: ReadonlySet<string>): boolean {
    if (ous.size === 0) return false;
    let current: string | null | undefined = containerId;
    for (let depth = 0; current && depth < MAX_DEPTH; depth += 1) {
      if (ous.has(current)) return true;
      current = this.index.folder(current)?.parentId;
    }
    return false;
  }
}
