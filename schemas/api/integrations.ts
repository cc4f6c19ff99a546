import * as z from 'zod';
import {
  accountIdSchema,
  handlePrefixSchema,
  handleSchema,
  integrationKindSchema,
  listSchema,
  optionsSchema,
  ouIdSchema,
  partitionSchema,
  permissionsSchema,
  regionListSchema,
  regionSchema,
  roleNameSchema,
  scopeSchema,
  stackSetRefSchema,
} from './common';
import { accountRolesSchema, organizationRolesSchema, roleTestReportSchema } from './role-test';

const tagKeySchema = z.string().min(1).max(128);

/** Tag rules: `{key: value}` names a tag with that value, `{key: null}` the key with any value. */
const tagRulesSchema = z
  .record(tagKeySchema, z.string().max(256).nullable())
  .refine((tags) => Object.keys(tags).length <= 10, 'at most 10 tags')
  .default({});

const idLists = <T extends z.ZodString>(id: T, max: number) =>
  z.strictObject({ include: z.array(id).max(max).default([]), exclude: z.array(id).max(max).default([]) });

/**
 * Which part of the organization the mirror holds (organization integrations). Every filter
 * narrows: an account is mirrored only when all of them let it through. `include` empty: all.
 * - `organizationalUnits`: OUs with their subtrees. An excluded OU is not even listed. With
 *   includes, only accounts inside them are mirrored, and the OUs on the way down to them stay
 *   as folders so the tree holds together.
 * - `accounts`: account ids.
 * - `skipSuspended`: leaves out SUSPENDED and PENDING_CLOSURE accounts.
 * - `accountTags`: the account must carry every tag named, with that value (null: any value).
 * - `excludeAccountTags`: the account must carry none of the tags named (null: whatever value).
 *
 * Tag rules look at the account's own tags only: AWS Organizations does not pass an OU's tags on
 * to its accounts, and neither do we. They need the accounts' tags, so they read them as
 * `tags.read` does (see `tagSettingsSchema`), whether or not the integration shows them.
 */
export const scopeFiltersSchema = z.strictObject({
  organizationalUnits: idLists(ouIdSchema, 100).default({ include: [], exclude: [] }),
  accounts: idLists(accountIdSchema, 1000).default({ include: [], exclude: [] }),
  skipSuspended: z.boolean().default(false),
  accountTags: tagRulesSchema,
  excludeAccountTags: tagRulesSchema,
});
export type ScopeFilters = z.infer<typeof scopeFiltersSchema>;

/**
 * Whether the mirror reads the Organizations tags of accounts and OUs, and shows them as `tags`
 * on connections and folders and in their events.
 * - `read` is false by default: reading costs one ListTagsForResource per account and OU, an API
 *   limited to 10 calls a second, so the first sync of 10,000 accounts takes more than half an
 *   hour longer. After that, tags are read again only when an event says they changed, and all
 *   of them at most once a day.
 * - `keys`: the tag keys kept (absent: all of them). The keys the tag rules name are kept too.
 */
export const tagSettingsSchema = z.strictObject({
  read: z.boolean().default(false),
  keys: z.array(tagKeySchema).min(1).max(50).optional(),
});
export type TagSettings = z.infer<typeof tagSettingsSchema>;

/**
 * What becomes of an account that joins the organization after the first complete sync:
 * `include` mirrors it as any other; `hold` mirrors it `held`, unshared and without credentials,
 * until someone approves (or rejects) it.
 */
export const newAccountsSchema = z.enum(['include', 'hold']);

const settings = {
  handle: handleSchema,
  scope: scopeSchema,
  handlePrefix: handlePrefixSchema.optional(),
  regions: regionListSchema,
  options: optionsSchema.optional(),
  permissions: permissionsSchema.optional(),
  /** Organization integrations only. */
  memberRoleStackSet: stackSetRefSchema.optional(),
  /** Organization integrations only. */
  filters: scopeFiltersSchema.optional(),
  /** Organization integrations only. */
  tags: tagSettingsSchema.optional(),
  /**
   * Organization integrations only: a second member role, with write permissions, that the
   * credentials broker uses for `access: "write"`. Without it, connections are read-only.
   */
  fullMemberRoleName: roleNameSchema.optional(),
  /** Organization integrations only. */
  newAccounts: newAccountsSchema.optional(),
};

/** POST /v1/integrations: the role test's request plus the integration's settings. */
export const createIntegrationSchema = z.discriminatedUnion('kind', [
  organizationRolesSchema.extend(settings),
  accountRolesSchema.extend(settings),
]);
export type CreateIntegration = z.infer<typeof createIntegrationSchema>;

/** `deleting`: a DELETE was accepted; the integration goes once its folders and connections have. */
export const integrationStatusSchema = z.enum([
  'pending',
  'syncing',
  'connected',
  'error',
  'needs_review',
  'deleting',
]);

export const integrationSchema = z.object({
  id: z.uuid(),
  version: z.number().int().min(1),
  handle: handleSchema,
  kind: integrationKindSchema,
  scope: scopeSchema,
  status: integrationStatusSchema,
  roleArn: z.string(),
  readOnlyRoleArn: z.string().nullable(),
  memberRoleName: roleNameSchema.nullable(),
  /** The member role with write permissions, in every account; null: connections are read-only. */
  fullMemberRoleName: roleNameSchema.nullable().default(null),
  /** Where the member role's StackSet lives, for the health check; null: not named. */
  memberRoleStackSet: stackSetRefSchema.nullable().default(null),
  /** null: the whole organization. */
  filters: scopeFiltersSchema.nullable().default(null),
  tags: tagSettingsSchema.default({ read: false }),
  newAccounts: newAccountsSchema.default('include'),
  handlePrefix: handlePrefixSchema.nullable(),
  regions: z.array(regionSchema),
  options: optionsSchema,
  permissions: permissionsSchema,
  /** The External ID the role was validated with; a rotation does not change it. */
  externalId: z.string(),
  accountId: accountIdSchema,
  partition: partitionSchema,
  organizationId: z.string().nullable(),
  managementAccountId: accountIdSchema.nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  createdBy: z.string(),
});
export type Integration = z.infer<typeof integrationSchema>;

export const integrationListSchema = listSchema(integrationSchema);
export const integrationPathSchema = z.strictObject({ id: z.uuid() });

/**
 * PATCH /v1/integrations/{id} (with `If-Match`): what may change after creation. New roles are
 * tested like new integrations' before anything changes.
 */
export const modifyIntegrationSchema = z
  .strictObject({
    handle: handleSchema.optional(),
    handlePrefix: handlePrefixSchema.nullable().optional(),
    regions: settings.regions.optional(),
    options: optionsSchema.optional(),
    permissions: permissionsSchema.optional(),
    /** Organization integrations only. */
    memberRoleName: roleNameSchema.optional(),
    /** Organization integrations only; null makes its connections read-only again. */
    fullMemberRoleName: roleNameSchema.nullable().optional(),
    /** Organization integrations only; null forgets it. */
    memberRoleStackSet: stackSetRefSchema.nullable().optional(),
    /** Organization integrations only; null mirrors the whole organization again. */
    filters: scopeFiltersSchema.nullable().optional(),
    /** Organization integrations only. */
    tags: tagSettingsSchema.optional(),
    /** Organization integrations only; connections held already stay held until approved. */
    newAccounts: newAccountsSchema.optional(),
    roleArn: z.string().min(1).max(2048).optional(),
    /** Account integrations only; null removes it. */
    readOnlyRoleArn: z.string().min(1).max(2048).nullable().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'name at least one field to change');
export type ModifyIntegration = z.infer<typeof modifyIntegrationSchema>;

/** DELETE /v1/integrations/{id}?confirm=<handle>: the handle, typed again, confirms. */
export const deleteIntegrationQuerySchema = z.strictObject({ confirm: z.string().max(256).optional() });

/** 202 to a DELETE: the deletion run that removes the mirror and then the integration. */
export const deletionAcceptedSchema = z.object({ runId: z.string(), status: z.literal('deleting') });

/** POST /v1/integrations/{id}/test: the stored roles' report; a member check started with it. */
export const integrationTestSchema = z.object({
  report: roleTestReportSchema,
  /** `running`: a check of the integration was already under way; this is it, and none started. */
  memberCheck: z.object({ id: z.string(), status: z.enum(['started', 'running']) }),
});
