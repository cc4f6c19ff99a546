import * as z from 'zod';
import { accountIdSchema, deniedActionSchema, partitionSchema, roleNameSchema, scopeSchema } from './common';

const roleArnField = z.string().min(1).max(2048);

/**
 * The scope whose External ID the role is tested with: the tenant's (the default) or an org's.
 * A role deployed for one scope can be registered in that scope only.
 */
const testScope = { scope: scopeSchema.optional() };

/** POST /v1/aws/test-connection. A client-sent External ID is not a field: it would be refused. */
export const organizationRolesSchema = z.strictObject({
  kind: z.literal('organization'),
  ...testScope,
  roleArn: roleArnField,
  /** The role the member-account template creates; connections' role ARNs are built from it. */
  memberRoleName: roleNameSchema.optional(),
});

export const accountRolesSchema = z.strictObject({
  kind: z.literal('account'),
  ...testScope,
  roleArn: roleArnField,
  /** An optional second role with read-only permissions, in the same account. */
  readOnlyRoleArn: roleArnField.optional(),
});

export const roleTestRequestSchema = z.discriminatedUnion('kind', [
  organizationRolesSchema,
  accountRolesSchema,
]);
export type RoleTestRequest = z.infer<typeof roleTestRequestSchema>;

/** The checks every role the request names goes through, in order. */
export const PER_ROLE_CHECKS = [
  'role-arn',
  'assume-role',
  'caller-identity',
  'refuses-without-external-id',
  'refuses-wrong-external-id',
  'permissions',
] as const;

/** The checks an organization's discovery role goes through after those. */
export const ORGANIZATION_CHECKS = ['describe-organization', 'management-or-delegated-admin'] as const;

export const ROLE_CHECKS = [...PER_ROLE_CHECKS, ...ORGANIZATION_CHECKS] as const;

export const roleCheckSchema = z.object({
  /** `roleArn` or `readOnlyRoleArn`: which of the request's roles this check is about. */
  role: z.enum(['roleArn', 'readOnlyRoleArn']),
  check: z.enum(ROLE_CHECKS),
  /**
   * `warning`: a trust-policy probe an emulator cannot enforce (local emulator mode only), or a
   * permission check whose simulation the role may not run.
   */
  status: z.enum(['passed', 'warning', 'failed', 'skipped']),
  message: z.string(),
  code: z.string().optional(),
  hint: z.string().optional(),
  /** The `permissions` check: the actions the role may not call, and why. */
  details: z.object({ denied: z.array(deniedActionSchema) }).optional(),
});
export type RoleCheck = z.infer<typeof roleCheckSchema>;

export const organizationInfoSchema = z.object({
  id: z.string(),
  arn: z.string(),
  managementAccountId: accountIdSchema,
});

/** The step-by-step report: the answer on success, and `error.details` on failure. */
export const roleTestReportSchema = z.object({
  ok: z.boolean(),
  kind: z.enum(['organization', 'account']),
  accountId: accountIdSchema.nullable(),
  partition: partitionSchema.nullable(),
  organization: organizationInfoSchema.nullable(),
  /** The version tag of the role (`roleArn`); null when it has none or it was not reached. */
  templateVersion: z.number().int().nullable(),
  /** Whether that role should be updated to the current template; null when not known. */
  outdated: z.boolean().nullable(),
  /** When outdated: a quick-create link that deploys the current template over it. */
  updateUrl: z.string().nullable(),
  checks: z.array(roleCheckSchema),
});
export type RoleTestReport = z.infer<typeof roleTestReportSchema>;
