import type { Integration } from '../../schemas/api/integrations';
import { syncTargets } from '../../schemas/sync';
import { ValidationError } from '../core/errors';
import { logger } from '../core/logger';
import type { SyncRequests } from '../ports/syncs';

/*
 * What a change to an integration, or to one of its folders and connections, must satisfy, and
 * the run that brings the mirror in line after it.
 */

/** Fields the mirror is read with: changing one re-reads the whole organization. */
export const RESYNC_FIELDS: ReadonlySet<string> = new Set([
  'roleArn',
  'readOnlyRoleArn',
  'memberRoleName',
  'filters',
  'tags',
]);
/** Fields that name the roles: what a new role no longer sees still needs the deletion rules. */
export const ROLE_FIELDS: ReadonlySet<string> = new Set(['roleArn', 'readOnlyRoleArn']);
/**
 * Fields every folder and connection inherits (or, for the prefix, builds its handle from):
 * changing one needs no Organizations call, only a run whose end brings the mirror in line.
 */
export const INHERITED_FIELDS: ReadonlySet<string> = new Set([
  'handlePrefix',
  'regions',
  'options',
  'permissions',
]);

/** `If-Match: "3"` (or `W/"3"`, or `3`) → 3. */
export function versionOf(ifMatch: string | undefined): number {
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(ifMatch?.trim() ?? '');
  if (!match) {
    throw new ValidationError(
      'A PATCH needs If-Match with the version you read.',
      [{ field: 'headers.if-match', message: ifMatch === undefined ? 'missing' : 'not a version' }],
      'Send the ETag of your last GET, for example If-Match: "1".',
    );
  }
  return Number(match[1]);
}

/**
 * The member roles' names and StackSet, the scope filters and what becomes of new accounts
 * belong to organization integrations.
 */
export function requireOrganizationField(
  kind: Integration['kind'],
  fields: {
    readonly memberRoleName?: unknown;
    readonly fullMemberRoleName?: unknown;
    readonly memberRoleStackSet?: unknown;
    readonly filters?: unknown;
    readonly tags?: unknown;
    readonly newAccounts?: unknown;
  },
): void {
  if (kind === 'organization') return;
  const fieldNames = [
    'memberRoleName',
    'fullMemberRoleName',
    'memberRoleStackSet',
    'filters',
    'tags',
    'newAccounts',
  ] as const;
  for (const field of fieldNames) {
    if (fields[field] !== undefined) {
      throw new ValidationError(`Only organization integrations have ${field}.`, [
        { field: `body.${field}`, message: 'not for an account integration' },
      ]);
    }
  }
}

/**
 * Starts a `settings` run after a stored change: of the whole organization, or one that reads
 * nothing from Organizations and only brings every node's effective settings and generated
 * handle in line at its end. A run that does not start is logged: the change is stored, and
 * the next sync applies it.
 */
export async function startSettingsRun(
  syncs: Pick<SyncRequests, 'requestSync'>,
  request: {
    readonly tenantId: string;
    readonly integrationId: string;
    readonly correlationId: string;
    readonly wholeOrganization: boolean;
    /** The user asked for the removals (a narrower filter): none is held for review. */
    readonly confirmDeletions?: boolean;
  },
): Promise<void> {
  const { tenantId, integrationId, correlationId, wholeOrganization, confirmDeletions = false } = request;
  try {
    const { runId } = await syncs.requestSync({
      tenantId,
      integrationId,
      correlationId,
      trigger: 'settings',
      confirmDeletions,
      // Without targets, the whole organization; with empty ones, nothing but the settings pass.
      ...(wholeOrganization ? {} : { targets: syncTargets() }),
    });
    logger.info('settings run started', { integrationId, runId, wholeOrganization });
  } catch (error: unknown) {
    logger.error('settings run did not start', { integrationId, error });
  }
}
