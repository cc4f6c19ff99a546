import type { TemplateName } from '../../schemas/api/onboarding';

/** The tag each role template stamps on the role it creates. */
export const TEMPLATE_VERSION_TAG = 'org-connections:template-version';

/**
 * The current version of each customer template. Bump one whenever its permissions or its trust
 * policy change; a test checks that each role template stamps exactly this number.
 */
export const TEMPLATE_VERSIONS = {
  'management-account-role': 2,
  'member-account-role': 2,
  'organization-events-forwarder': 1,
  'single-account-role': 2,
} as const satisfies Record<TemplateName, number>;

/**
 * From this version on, a role template lets the platform set a SourceIdentity and tag its
 * sessions (`sts:SetSourceIdentity`, `sts:TagSession`). An older role refuses both.
 */
export const SOURCE_IDENTITY_SINCE_VERSION = 2;
