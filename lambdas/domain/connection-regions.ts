import type { Connection, ConnectionView, MemberHealth } from '../../schemas/sync';
import { AppError } from '../core/errors';
import { logger } from '../core/logger';
import { PermissionDeniedError, type RegionReader } from '../ports/customer-roles';

/**
 * The regions the account has enabled, read through its member role's session; null when the
 * role may not read them (account:ListRegions) or Account Management did not answer, so nothing
 * is known and nothing is narrowed. Every account has the regions AWS enables by default, so an
 * empty answer is no answer either.
 */
export async function readEnabledRegions(
  session: RegionReader,
  retried: <T>(call: () => Promise<T>) => Promise<T>,
): Promise<readonly string[] | null> {
  try {
    const regions = await retried(() => session.enabledRegions());
    return regions.length > 0 ? regions : null;
  } catch (error: unknown) {
    if (error instanceof PermissionDeniedError) return null;
    if (!(error instanceof AppError)) throw error;
    logger.warn('the enabled regions could not be read', { code: error.code });
    return null;
  }
}

/**
 * A connection's regions against what its account has enabled: `effectiveRegions` are the
 * configured (inherited or overridden) regions the account has enabled, all of them while the
 * enabled ones are not known; `regionsNotEnabled` the configured ones it has not.
 */
export function regionsOf(
  connection: Pick<Connection, 'effective'>,
  health: Pick<MemberHealth, 'enabledRegions'> | null,
): { readonly effectiveRegions: string[]; readonly regionsNotEnabled: string[] } {
  const configured = connection.effective.regions.value;
  const enabled = health?.enabledRegions;
  if (enabled === null || enabled === undefined)
    return { effectiveRegions: configured, regionsNotEnabled: [] };
  const on = new Set(enabled);
  return {
    effectiveRegions: configured.filter((region) => on.has(region)),
    regionsNotEnabled: configured.filter((region) => !on.has(region)),
  };
}

/**
 * A connection as the API and its events show it: the node, its last health, and its regions
 * against the account's. A role that lets us in but whose account lacks some configured regions
 * says so in its health's hint.
 */
export function connectionView(connection: Connection, health: MemberHealth | null): ConnectionView {
  const regions = regionsOf(connection, health);
  const missing = regions.regionsNotEnabled;
  const hinted =
    health?.status === 'ok' && health.hint === null && missing.length > 0
      ? {
          ...health,
          hint: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not enabled in this account, so calls there fail: enable ${missing.length === 1 ? 'it' : 'them'} in the account's settings, or take ${missing.length === 1 ? 'it' : 'them'} out of the connection's regions.`,
        }
      : health;
  return {
    ...connection,
    health: hinted,
    enabledRegions: health?.enabledRegions ?? null,
    ...regions,
  };
}
