import type { PermissionsManifest, TemplateName } from '../../schemas/api/onboarding';
import { AppError } from '../core/errors';
import { TEMPLATE_VERSION_TAG, TEMPLATE_VERSIONS } from './template-versions';

/** The roles a customer deploys for us, each judged against its own list of actions. */
export const ROLE_KINDS = ['discovery', 'member-read', 'member-full'] as const;
export type RoleKind = (typeof ROLE_KINDS)[number];

/** What grants an action: the template's own policy, or the AWS managed policy it attaches. */
export type GrantedBy = 'template' | 'ReadOnlyAccess' | 'PowerUserAccess';

export interface RequiredAction {
  readonly action: string;
  /** What the platform does with it, in the words a customer's reviewer reads. */
  readonly reason: string;
  readonly grantedBy: GrantedBy;
  /** Granted on the role itself only, so simulated with the role as the resource. */
  readonly onRoleItself: boolean;
}

export interface RolePermissions {
  readonly description: string;
  /** The templates that create this role. */
  readonly templates: readonly TemplateName[];
  readonly actions: readonly RequiredAction[];
}

/**
 * Every role reads its own template-version tag and simulates its own policies, so that a health
 * check can name what is missing and why. The templates grant both on the role itself only.
 */
const SELF_INSPECTION: readonly RequiredAction[] = [
  {
    action: 'iam:ListRoleTags',
    reason: 'Health: reads the template version stamped on this role.',
    grantedBy: 'template',
    onRoleItself: true,
  },
  {
    action: 'iam:SimulatePrincipalPolicy',
    reason: 'Health: checks this list against the role, and names the policy that denies an action.',
    grantedBy: 'template',
    onRoleItself: true,
  },
];

/** Member roles tell which regions their account has enabled; the templates grant it since version 5. */
const ENABLED_REGIONS: RequiredAction = {
  action: 'account:ListRegions',
  reason: 'Health: the regions the account has enabled, so credentials name only regions where calls work.',
  grantedBy: 'template',
  onRoleItself: false,
};

const organizations = (action: string, reason: string): RequiredAction => ({
  action: `organizations:${action}`,
  reason,
  grantedBy: 'template',
  onRoleItself: false,
});

/**
 * Platform services read resources through the member role. These are the reads every consumer
 * starts from; ReadOnlyAccess grants them, and so does PowerUserAccess.
 */
const MEMBER_READS: readonly RequiredAction[] = [
  {
    action: 'ec2:DescribeRegions',
    reason: 'Credentials: platform services find the regions enabled in the account.',
    grantedBy: 'ReadOnlyAccess',
    onRoleItself: false,
  },
  {
    action: 'tag:GetResources',
    reason: "Credentials: platform services list the account's tagged resources.",
    grantedBy: 'ReadOnlyAccess',
    onRoleItself: false,
  },
];

/**
 * The actions each role needs, and why: the one source of the templates' policies (a test fails
 * when a template grants more or less) and of the permission checks, which simulate exactly
 * these actions for the role.
 */
export const PERMISSIONS: Readonly<Record<RoleKind, RolePermissions>> = {
  discovery: {
    description: 'The discovery role, in the management account or a delegated administrator.',
    templates: ['management-account-role'],
    actions: [
      organizations(
        'DescribeOrganization',
        'Role test and sync: the organization and its management account.',
      ),
      organizations(
        'ListDelegatedAdministrators',
        'Role test: tells a delegated administrator from a plain member account.',
      ),
      organizations('ListRoots', 'Sync: the root each walk starts from.'),
      organizations('ListOrganizationalUnitsForParent', 'Sync: the OUs mirrored as folders.'),
      organizations('ListAccountsForParent', 'Sync: the accounts mirrored as connections.'),
      organizations('ListParents', 'Sync after an Organizations event: where a moved account or OU now is.'),
      organizations('DescribeAccount', 'Sync after an Organizations event: one account, as it is now.'),
      organizations(
        'ListTagsForResource',
        'Tags: the tags of accounts and OUs, shown or selected by tag rules.',
      ),
      {
        action: 'cloudformation:ListStackInstances',
        reason: 'Health: tells a member role not deployed yet from one that refuses the platform.',
        grantedBy: 'template',
        onRoleItself: false,
      },
      ...SELF_INSPECTION,
    ],
  },
  'member-read': {
    description: "The member role every connection's read credentials come from.",
    templates: ['member-account-role', 'single-account-role'],
    actions: [...MEMBER_READS, ENABLED_REGIONS, ...SELF_INSPECTION],
  },
  'member-full': {
    description: "The full member role, for platform services that act in the customer's accounts.",
    templates: ['member-account-role', 'single-account-role'],
    actions: [
      ...MEMBER_READS.map((read) => ({ ...read, grantedBy: 'PowerUserAccess' as const })),
      {
        action: 'tag:TagResources',
        reason: 'Credentials: platform services tag the resources they create or change.',
        grantedBy: 'PowerUserAccess',
        onRoleItself: false,
      },
      ENABLED_REGIONS,
      ...SELF_INSPECTION,
    ],
  },
};

/** The actions to simulate for a role, those on any resource and those on the role itself. */
export function requiredActions(kind: RoleKind): { anyResource: string[]; roleItself: string[] } {
  const { actions } = PERMISSIONS[kind];
  return {
    anyResource: actions.filter((entry) => !entry.onRoleItself).map((entry) => entry.action),
    roleItself: actions.filter((entry) => entry.onRoleItself).map((entry) => entry.action),
  };
}

/** The manifest as `GET /v1/aws/permissions` serves it. */
export function permissionsManifest(): PermissionsManifest {
  return {
    roles: ROLE_KINDS.map((kind) => ({
      kind,
      description: PERMISSIONS[kind].description,
      templates: [...PERMISSIONS[kind].templates],
      actions: PERMISSIONS[kind].actions.map((entry) => ({ ...entry })),
    })),
    templateVersions: { ...TEMPLATE_VERSIONS },
    templateVersionTag: TEMPLATE_VERSION_TAG,
  };
}

/** A call the customer's role was refused, as the API and a failed sync name it. */
export function missingPermissionError(action: string, cause?: unknown): AppError {
  return new AppError('MISSING_PERMISSIONS', `The role may not call ${action}.`, {
    hint: `Allow ${action} in the role's permissions, or deploy the current template, which grants it. GET /v1/aws/permissions lists what each role needs.`,
    cause,
  });
}
