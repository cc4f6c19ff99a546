import type { AuditAction, AuditEntry } from '../../schemas/api/audit';
import type { Scope } from '../../schemas/api/common';
import type { TenantRequest } from '../core/tenant-context';

/** An entry as the table keeps it: with the time after which TTL removes it (epoch seconds). */
export interface AuditRecord {
  readonly entry: AuditEntry;
  readonly expiresAt: number;
}

/** What a use case says about its change; the trail adds who, when and which request. */
export interface AuditedChange {
  readonly action: AuditAction;
  readonly target: AuditEntry['target'];
  readonly scope: Scope;
  readonly integrationId?: string;
  /** Each field that changed. Never an External ID, a credential or a token. */
  readonly changes?: readonly { readonly field: string; readonly from: unknown; readonly to: unknown }[];
}

/** How long entries are kept unless the deployment says otherwise. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 400;

/** Fields every change moves on: they tell nothing of what was changed. */
const BOOKKEEPING = new Set(['version', 'updatedAt']);

/** Builds the entries of one deployment: its retention, its clock and its ids. */
export function auditTrail({
  retentionDays,
  now = () => new Date(),
  newId = () => crypto.randomUUID(),
}: {
  readonly retentionDays: number;
  readonly now?: () => Date;
  readonly newId?: () => string;
}) {
  return {
    /** The entry of a change, to be written with it (or right after it). */
    entry(tenant: TenantRequest, change: AuditedChange): AuditRecord {
      const at = now();
      const changes = (change.changes ?? []).filter(({ field }) => !BOOKKEEPING.has(field));
      const orgId = change.scope.level === 'org' ? change.scope.orgId : undefined;
      const entry: AuditEntry = {
        id: newId(),
        at: at.toISOString(),
        actor: {
          sub: tenant.subject,
          tenantId: tenant.tenantId,
          ...(orgId === undefined ? {} : { orgId }),
          groups: [...tenant.roles],
        },
        action: change.action,
        target: change.target,
        ...(change.integrationId === undefined ? {} : { integrationId: change.integrationId }),
        scope: change.scope,
        ...(changes.length === 0
          ? {}
          : {
              changes: Object.fromEntries(
                changes.map(({ field, from, to }) => [field, { before: from, after: to }]),
              ),
            }),
        requestId: tenant.correlationId,
        correlationId: tenant.correlationId,
      };
      return { entry, expiresAt: Math.floor(at.getTime() / 1000) + retentionDays * 24 * 3600 };
    },
  };
}
export type AuditTrail = ReturnType<typeof auditTrail>;
