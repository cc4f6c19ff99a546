import { createHash } from 'node:crypto';

/**
 * Each integration is re-synced once per interval, at its own fixed phase within it. The
 * phase comes from a hash of the integration's id, so the phases of many integrations spread
 * evenly over the interval whenever they were created, and one integration's scheduled runs
 * stay exactly one interval apart.
 */
export function schedulePhase(integrationId: string, intervalMs: number): number {
  const hash = createHash('sha256').update(integrationId).digest();
  // 48 bits are exact in a double, and far more than any interval in milliseconds.
  return hash.readUIntBE(0, 6) % intervalMs;
}

/** The integration's first due time after `afterMs`: never more than one interval later. */
export function nextDueTime(integrationId: string, afterMs: number, intervalMs: number): number {
  const phase = schedulePhase(integrationId, intervalMs);
  return phase + (Math.floor((afterMs - phase) / intervalMs) + 1) * intervalMs;
}
