import type { Scope } from '../../schemas/api/common';
import type { WorkspaceConnection } from '../../schemas/api/workspaces';
import type { Page, PageRequest } from '../domain/page';

export interface ShareKey {
  readonly tenantId: string;
  /** A workspace id, or ALL_WORKSPACES. */
  readonly workspaceKey: string;
  readonly integrationId: string;
  readonly accountId: string;
}

/** One entry of the read model: a connection that one workspace (or every one) may use. */
export type ShareEntry = ShareKey & WorkspaceConnection;

export interface ShareStore {
  /** The keys of every entry of one integration, for a rebuild. */
  keysOf(tenantId: string, integrationId: string): Promise<readonly ShareKey[]>;
  /** Writes the entries and removes the keys; each is idempotent, so a redelivery is harmless. */
  write(puts: readonly ShareEntry[], deletes: readonly ShareKey[]): Promise<void>;
  /**
   * What a workspace may use: its own entries and the `all` ones, merged in one order, a page
   * at a time. Throws a ValidationError for a cursor it did not issue for this workspace.
   */
  list(tenantId: string, workspaceId: string, page: PageRequest): Promise<Page<ShareEntry>>;
}

export interface ScopeLookup {
  /** The integration's scope; undefined once it is gone. */
  scopeOf(tenantId: string, integrationId: string): Promise<Scope | undefined>;
}
