import type { Scope } from '../../schemas/api/common';
import { generateExternalId } from '../domain/external-id';
import type { ExternalIdRecord, ExternalIdStore } from './ports';

/**
 * A scope's External ID, created on first use. Every reader goes through here. A module of its
 * own, so readers outside onboarding do not bundle the template renderer (and its YAML library)
 * with it.
 */
export function currentExternalId(
  store: ExternalIdStore,
  tenantId: string,
  scope: Scope,
): Promise<ExternalIdRecord> {
  return store.getOrCreate(tenantId, scope, generateExternalId(tenantId));
}
