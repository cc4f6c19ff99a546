import * as z from 'zod';
import {
  accountIdSchema,
  organizationIdSchema,
  ouIdSchema,
  partitionSchema,
  regionSchema,
  roleNameSchema,
  rootIdSchema,
} from './api/common';

/** The states AWS Organizations reports in `Account.State`. */
export const accountStateSchema = z.enum(['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE']);
export type AccountState = z.infer<typeof accountStateSchema>;

/** An account's or OU's tags, as Organizations keeps them. */
const resourceTagsSchema = z
  .record(z.string().min(1).max(128), z.string().max(256))
  .refine((tags) => Object.keys(tags).length <= 50, 'at most 50 tags');

const sandboxAccountSchema = z.strictObject({
  id: accountIdSchema,
  name: z.string().min(1).max(50),
  email: z.email(),
  state: accountStateSchema.default('ACTIVE'),
  tags: resourceTagsSchema.default({}),
  /** Absent: the regions AWS enables by default. */
  enabledRegions: z.array(regionSchema).optional(),
});

const sandboxOuSchema = z.strictObject({
  id: ouIdSchema,
  name: z.string().min(1).max(128),
  tags: resourceTagsSchema.default({}),
  accounts: z.array(sandboxAccountSchema).default([]),
  get organizationalUnits() {
    return z.array(sandboxOuSchema).default([]);
  },
});
export type SandboxOuFixture = z.infer<typeof sandboxOuSchema>;

/** `local/sandbox-org.yaml`: the organization the local runtime simulates. */
export const sandboxOrgFixtureSchema = z.strictObject({
  partition: partitionSchema,
  organization: z.strictObject({
    id: organizationIdSchema,
    managementAccountId: accountIdSchema,
    delegatedAdministrators: z.array(accountIdSchema).default([]),
  }),
  root: z.strictObject({
    id: rootIdSchema,
    accounts: z.array(sandboxAccountSchema).default([]),
    organizationalUnits: z.array(sandboxOuSchema).default([]),
  }),
});
export type SandboxOrgFixture = z.infer<typeof sandboxOrgFixtureSchema>;

const iamActionSchema = z
  .string()
  .regex(/^[a-z0-9-]+:[A-Za-z0-9]+$/, 'must be an IAM action, such as organizations:ListRoots');

/** PUT /local/sandbox/policies/{targetId}: an SCP attached to the root, an OU or an account. */
export const sandboxPolicySchema = z.strictObject({
  denyActions: z.array(iamActionSchema).min(1).max(100),
});

/** POST /local/sandbox/roles: "the customer deployed our template" (or a careless copy of it). */
export const sandboxRoleRequestSchema = z.strictObject({
  accountId: accountIdSchema,
  roleName: roleNameSchema,
  /** The External ID the trust policy requires; null creates a role without that condition. */
  externalId: z.string().min(2).max(1224).nullable(),
  /**
   * OUs whose children the role may not list (nor those of any OU below them): Organizations
   * answers AccessDenied there, as it does for a policy with a Deny on those OUs.
   */
  denyOrganizationalUnits: z.array(ouIdSchema).max(100).default([]),
  /**
   * The version of our template the role was deployed from, as its tag says. Roles from before
   * version 2 refuse a SourceIdentity and session tags; roles from before version 3 may not
   * simulate their own policies. @default the member-account template's current version
   */
  templateVersion: z.number().int().nonnegative().optional(),
  /** Actions the role's own policy lacks: the simulation calls them implicitly denied, and AWS refuses them. */
  deniedActions: z.array(iamActionSchema).max(100).default([]),
});
export type SandboxRoleRequest = z.input<typeof sandboxRoleRequestSchema>;

/**
 * PUT /local/sandbox/stack-sets/{name}: the member-role StackSet as CloudFormation would report
 * it, one instance per account it reached. An account without an instance was never reached.
 */
export const sandboxStackSetSchema = z.strictObject({
  region: regionSchema,
  instances: z
    .array(
      z.strictObject({
        accountId: accountIdSchema,
        status: z.enum(['CURRENT', 'OUTDATED', 'INOPERABLE']),
        detailedStatus: z
          .enum([
            'SUCCEEDED',
            'FAILED',
            'CANCELLED',
            'INOPERABLE',
            'PENDING',
            'RUNNING',
            'SKIPPED_SUSPENDED_ACCOUNT',
          ])
          .optional(),
        reason: z.string().max(1024).optional(),
      }),
    )
    .max(1000),
});
export type SandboxStackSet = z.infer<typeof sandboxStackSetSchema>;

const parentIdSchema = z.union([rootIdSchema, ouIdSchema]);

/** POST /local/sandbox/organizational-units */
export const sandboxOuCreateSchema = z.strictObject({
  name: z.string().min(1).max(128),
  parentId: parentIdSchema,
});

/** PATCH /local/sandbox/organizational-units/{id} */
export const sandboxOuRenameSchema = z.strictObject({ name: z.string().min(1).max(128) });

/** POST /local/sandbox/accounts */
export const sandboxAccountCreateSchema = z.strictObject({
  name: z.string().min(1).max(50),
  email: z.email(),
  parentId: parentIdSchema,
});

/**
 * POST /local/sandbox/control-tower/accounts: Account Factory vends an account into a registered
 * OU. `fail` plays a vend that fails: no account, and a FAILED lifecycle event.
 */
export const sandboxManagedAccountSchema = z.strictObject({
  name: z.string().min(1).max(50),
  email: z.email(),
  parentId: ouIdSchema,
  fail: z.boolean().default(false),
});

/** POST /local/sandbox/accounts/{id}/move */
export const sandboxMoveSchema = z.strictObject({ destinationParentId: parentIdSchema });

/** POST /local/sandbox/{accounts,ous}/{id}/tags: TagResource (a null value: UntagResource of that key). */
export const sandboxTagSchema = z.strictObject({
  tags: z.record(z.string().min(1).max(128), z.string().max(256).nullable()),
});

/** PUT /local/sandbox/accounts/{id}/regions: the regions the account has enabled, from now on. */
export const sandboxRegionsSchema = z.strictObject({
  enabled: z.array(regionSchema).min(1).max(60),
});
