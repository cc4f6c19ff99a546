import type { AuditEntry } from '../../schemas/api/audit';
import type { AuditRecord } from '../domain/audit';
import type { Page } from '../domain/page';

/** Which entries a reader asks for: newest first, between two times, maybe of one integration. */
export interface AuditSelection {
  readonly from: string;
  readonly to: string;
  readonly integrationId?: string;
  /** The orgs whose entries the reader may see; `all` for a tenant owner. */
  readonly orgIds: readonly string[] | 'all';
  readonly limit: number;
  readonly cursor?: string;
}

/** The tenant's audit log. Entries written with a change go in that change's own transaction. */
export interface AuditLog {
  /** An entry of a change that has no transaction of its own to carry it. */
  record(tenantId: string, record: AuditRecord): Promise<void>;
  /** A page holds only what the reader may see, so it can hold fewer than `limit`. */
  list(tenantId: string, selection: AuditSelection): Promise<Page<AuditEntry>>;
}
