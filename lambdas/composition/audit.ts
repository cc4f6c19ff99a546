import type { Clock } from '../core/clock';
import { auditTrail, DEFAULT_AUDIT_RETENTION_DAYS } from '../domain/audit';

/** The deployment's audit trail: its retention, on the wiring's clock. */
export function composeAuditTrail(wiring: { readonly auditRetentionDays?: number; readonly clock?: Clock }) {
  const { clock } = wiring;
  return auditTrail({
    retentionDays: wiring.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS,
    ...(clock ? { now: () => new Date(clock.now()) } : {}),
  });
}
