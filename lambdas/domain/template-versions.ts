import type { TemplateName } from '../../schemas/api/onboarding';

/** The tag each role template stamps on the role it creates. */
export const TEMPLATE_VERSION_TAG = 'org-connections:template-version';

/**
 * The current version of each customer template. Bump one whenever its permissions or its trust
 * policy change; a test checks that each role template stamps exactly this number.
 */
export const TEMPLATE_VERSIONS = {
  'management-account-role': 4,
  'member-account-role': 5,
  'organization-events-forwarder': 3,
  'single-account-role': 5,
} as const satisfies Record<TemplateName, number>;

/**
 * From this version on, a role template lets the platform set a SourceIdentity and tag its
 * sessions (`sts:SetSourceIdentity`, `sts:TagSession`). An older role refuses both.
 */
export const SOURCE_IDENTITY_SINCE_VERSION = 2;

/**
 * From this version on, a role template lets the role read its own tags and simulate its own
 * policies (`iam:ListRoleTags`, `iam:SimulatePrincipalPolicy`), so health can name what it lacks.
 */
export const SELF_INSPECTION_SINCE_VERSION = 3;

/**
 * From this version on, the member and single-account role templates let the role read which
 * regions its account has enabled (`account:ListRegions`).
 */
export const ENABLED_REGIONS_SINCE_VERSION = 5;

/**
 * Whether a role should be updated to the current template. A role without our tag (null) was
 * not made by any version of it that can be read, so it is outdated too.
 */
export function isOutdated(template: TemplateName, version: number | null): boolean {
  return version === null || version < TEMPLATE_VERSIONS[template];
}
