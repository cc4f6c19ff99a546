import type { Scope } from '../../schemas/api/common';

/** A scope's current External ID, as stored. */
export interface ExternalIdRecord {
  readonly externalId: string;
  /** 1 when created, +1 on every rotation. */
  readonly version: number;
  readonly updatedAt: string;
}

/** The External IDs of a tenant: one for the tenant, one for each of its orgs. */
export interface ExternalIdStore {
  /** Returns the stored External ID, or stores `candidate` if the scope has none yet. */
  getOrCreate(tenantId: string, scope: Scope, candidate: string): Promise<ExternalIdRecord>;
  /** Replaces the scope's External ID unconditionally. */
  rotate(tenantId: string, scope: Scope, next: string): Promise<ExternalIdRecord>;
}
