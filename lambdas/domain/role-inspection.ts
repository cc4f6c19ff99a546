import type { TemplateName } from '../../schemas/api/onboarding';
import type { DeniedAction, PermissionVerdict } from '../../schemas/sync';
import { AppError } from '../core/errors';
import { logger } from '../core/logger';
import { PermissionDeniedError, type RoleInspector, RoleMissingError } from '../ports/customer-roles';
import { type RoleKind, requiredActions } from './permissions';
import { isOutdated, TEMPLATE_VERSION_TAG } from './template-versions';

/** What a role's session tells about the role itself: its permissions and its template version. */
export interface RoleInspection {
  readonly permissions: PermissionVerdict;
  /** The version its tag names; null when it has none or it could not be read. */
  readonly templateVersion: number | null;
  /** Null when the tags could not be read for a reason other than a refusal. */
  readonly outdated: boolean | null;
}

type Retried = <T>(call: () => Promise<T>) => Promise<T>;

/**
 * Simulates the manifest's actions for the role, and reads its version tag. Neither throws for
 * an answer AWS gives about the role's permissions: a refused or failed simulation is `unknown`,
 * and a role that may not read its tags is outdated, since every current template lets it. A
 * role IAM does not know throws RoleMissingError: that is a verdict on the role itself.
 */
export async function inspectRole(
  session: RoleInspector,
  role: { readonly kind: RoleKind; readonly template: TemplateName },
  retried: Retried,
): Promise<RoleInspection> {
  const [permissions, version] = await Promise.all([
    simulatePermissions(session, role.kind, retried),
    readTemplateVersion(session, retried),
  ]);
  const outdated = version === 'unreadable' ? null : isOutdated(role.template, version);
  return { permissions, templateVersion: version === 'unreadable' ? null : version, outdated };
}

async function simulatePermissions(
  session: RoleInspector,
  kind: RoleKind,
  retried: Retried,
): Promise<PermissionVerdict> {
  const { anyResource, roleItself } = requiredActions(kind);
  try {
    const decisions = [
      ...(await retried(() => session.simulate(anyResource, false))),
      ...(await retried(() => session.simulate(roleItself, true))),
    ];
    const denied = decisions.flatMap(({ action, deniedBy }) =>
      deniedBy === null ? [] : [{ action, cause: deniedBy }],
    );
    if (denied.length === 0) return { status: 'ok', denied: [], hint: null };
    return { status: 'missing', denied, hint: deniedHint(denied) };
  } catch (error: unknown) {
    if (error instanceof RoleMissingError) throw error;
    if (error instanceof PermissionDeniedError) {
      return {
        status: 'unknown',
        denied: [],
        hint: 'The role may not simulate its own policies (iam:SimulatePrincipalPolicy): update it to the current template.',
      };
    }
    if (!(error instanceof AppError)) throw error;
    logger.warn('the permission simulation did not finish', { code: error.code });
    return {
      status: 'unknown',
      denied: [],
      hint: 'IAM did not finish the simulation; the next check tries again.',
    };
  }
}

async function readTemplateVersion(
  session: RoleInspector,
  retried: Retried,
): Promise<number | null | 'unreadable'> {
  try {
    const tag = (await retried(() => session.roleTags()))[TEMPLATE_VERSION_TAG];
    const version = tag === undefined ? Number.NaN : Number(tag);
    return Number.isInteger(version) && version >= 0 ? version : null;
  } catch (error: unknown) {
    if (error instanceof PermissionDeniedError) return null;
    if (!(error instanceof AppError) || error instanceof RoleMissingError) throw error;
    return 'unreadable';
  }
}

const CAUSES: Readonly<Record<DeniedAction['cause'], string>> = {
  organizations: 'a service control policy of your organization denies',
  boundary: "the role's permissions boundary denies",
  explicit: "a Deny statement in the role's policies denies",
  implicit: "the role's policies do not allow",
};

/** One clause per cause, e.g. "a service control policy of your organization denies organizations:ListRoots". */
function deniedHint(denied: readonly DeniedAction[]): string {
  const byCause = new Map<DeniedAction['cause'], string[]>();
  for (const { action, cause } of denied) byCause.set(cause, [...(byCause.get(cause) ?? []), action]);
  const clauses = [...byCause].map(([cause, actions]) => `${CAUSES[cause]} ${actions.join(', ')}`);
  return `${capitalise(clauses.join('; '))}.`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
