import * as z from 'zod';

export const partitionSchema = z.enum(['aws', 'aws-us-gov', 'aws-cn']);
export type Partition = z.infer<typeof partitionSchema>;
export const accountIdSchema = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');

/** AWS Organizations' ids: the organization's, its root's and its OUs'. */
export const organizationIdSchema = z.string().regex(/^o-[a-z0-9]{10,32}$/, 'must look like o-a1b2c3d4e5');
export const rootIdSchema = z.string().regex(/^r-[0-9a-z]{4,32}$/, 'must look like r-a1b2');
export const ouIdSchema = z
  .string()
  .regex(/^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/, 'must look like ou-a1b2-c3d4e5f6');

/** Handles are URL- and SQL-safe, and unique per tenant. */
export const handleSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'must start with a-z and hold only a-z, 0-9 and _ (at most 63)');

/** Prepended to generated connection handles, so it leaves room for the account's own part. */
export const handlePrefixSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,23}$/, 'must start with a-z and hold only a-z, 0-9 and _ (at most 24)');

/** IAM role names: 1–64 of letters, digits and `+=,.@_-`. */
export const roleNameSchema = z
  .string()
  .regex(/^[\w+=,.@-]{1,64}$/, 'must be 1–64 of A-Z a-z 0-9 + = , . @ _ -');

export const regionSchema = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'must be a region code like us-east-1');

/** The regions an integration (or a folder or connection) covers: at least one, none twice. */
export const regionListSchema = z
  .array(regionSchema)
  .min(1)
  .max(40)
  .refine((regions) => new Set(regions).size === regions.length, 'regions must not repeat');

/** Tenant ids become part of table keys and External IDs, so their alphabet is narrow. */
export const tenantIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/);

export const platformOrgIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/);

/** Where an integration lives, and so who may see and share what it creates. */
export const scopeSchema = z.discriminatedUnion('level', [
  z.strictObject({ level: z.literal('tenant') }),
  z.strictObject({ level: z.literal('org'), orgId: platformOrgIdSchema }),
]);
export type Scope = z.infer<typeof scopeSchema>;

/**
 * `?scope=` of the onboarding routes: `tenant` (the default) or `org:<orgId>`. Each scope has
 * its own External ID, so a role deployed for one scope cannot be registered in another.
 */
export const scopeQuerySchema = z
  .string()
  .regex(/^(tenant|org:.+)$/, 'must be tenant or org:<orgId>')
  .default('tenant')
  .transform((text, ctx): Scope => {
    if (text === 'tenant') return { level: 'tenant' };
    const parsed = platformOrgIdSchema.safeParse(text.slice('org:'.length));
    if (parsed.success) return { level: 'org', orgId: parsed.data };
    ctx.addIssue({ code: 'custom', message: 'not a valid org id' });
    return z.NEVER;
  });

/** A platform workspace: opaque to this backend, which only records what is shared with it. */
export const workspaceIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/);

/** Which workspaces may use what an integration creates. `all` includes later workspaces. */
export const permissionsSchema = z.discriminatedUnion('share', [
  z.strictObject({ share: z.literal('none') }),
  z.strictObject({ share: z.literal('all') }),
  z.strictObject({
    share: z.literal('selected'),
    workspaceIds: z.array(workspaceIdSchema).min(1).max(100),
  }),
]);
export type Permissions = z.infer<typeof permissionsSchema>;

/**
 * The StackSet that deploys the member role, read through the discovery role to tell a role
 * not deployed yet from one that refuses us.
 */
export const stackSetRefSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must be a StackSet name'),
  region: regionSchema,
});
export type StackSetRef = z.infer<typeof stackSetRefSchema>;

/** Advanced options, inherited down the tree: a small map of plain values. */
export const optionsSchema = z
  .record(
    z.string().regex(/^[a-z][A-Za-z0-9]{0,63}$/, 'option names are camelCase'),
    z.union([z.string().max(256), z.number(), z.boolean()]),
  )
  .refine((options) => Object.keys(options).length <= 32, 'at most 32 options');

export const integrationKindSchema = z.enum(['organization', 'account']);
export type IntegrationKind = z.infer<typeof integrationKindSchema>;

/** `?limit=&cursor=` of every list. */
export const listQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  /** Our cursors stay well under this length; a longer one is not ours. */
  cursor: z.string().max(1024).optional(),
});

export function listSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/**
 * Why AWS would deny an action: `implicit`, no statement allows it; `explicit`, a statement of
 * the role denies it; `organizations`, an SCP or RCP; `boundary`, the permissions boundary.
 */
export const deniedActionSchema = z.object({
  action: z.string(),
  cause: z.enum(['implicit', 'explicit', 'organizations', 'boundary']),
});
export type DeniedAction = z.infer<typeof deniedActionSchema>;
