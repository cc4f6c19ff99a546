import { randomBytes } from 'node:crypto';
import type { Scope } from '../../schemas/api/common';
import type { ExternalIdRecord, ExternalIdStore } from '../ports/external-ids';

/** 128 bits from a CSPRNG: an External ID must be hard to guess (at least 96 bits). */
const RANDOM_BYTES = 16;

/**
 * A new External ID for a tenant: `<tenantId>:<random>`. The random part is base64url, whose
 * alphabet fits the characters STS allows in an External ID (`[\w+=,.@:/-]`).
 */
export function generateExternalId(tenantId: string): string {
  return `${tenantId}:${randomBytes(RANDOM_BYTES).toString('base64url')}`;
}

/** STS role session names are at most 64 of `[\w+=,.@-]`; a tenant id fits that alphabet. */
export function roleSessionName(purpose: string, tenantId: string): string {
  return `aoc-${purpose}-${tenantId}`.slice(0, 64);
}

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
