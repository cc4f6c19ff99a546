/** The tenant's current External ID, as stored. */
export interface ExternalIdRecord {
  readonly externalId: string;
  /** 1 when created, +1 on every rotation. */
  readonly version: number;
  readonly updatedAt: string;
}

export interface ExternalIdStore {
  /** Returns the stored External ID, or stores `candidate` if the tenant has none yet. */
  getOrCreate(tenantId: string, candidate: string): Promise<ExternalIdRecord>;
  /** Replaces the External ID unconditionally. */
  rotate(tenantId: string, next: string): Promise<ExternalIdRecord>;
}

/** Reads a customer template's YAML text by file name. */
export interface TemplateSource {
  read(fileName: string): Promise<string>;
}
