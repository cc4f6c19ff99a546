import * as z from 'zod';
import {
  accountIdSchema,
  deniedActionSchema,
  handlePrefixSchema,
  listSchema,
  optionsSchema,
  ouIdSchema,
  permissionsSchema,
  regionListSchema,
  regionSchema,
  rootIdSchema,
} from './api/common';

/** What AWS Organizations reports in `Account.State` (or, on older SDKs, `Status`). */
export const orgAccountStateSchema = z.enum([
  'ACTIVE',
  'SUSPENDED',
  'PENDING_ACTIVATION',
  'PENDING_CLOSURE',
  'CLOSED',
]);
export type OrgAccountState = z.infer<typeof orgAccountStateSchema>;

/** `delete`: not a sync but the run that removes a deleted integration's mirror, with events. */
export const syncTriggerSchema = z.enum(['initial', 'schedule', 'event', 'manual', 'settings', 'delete']);
export type SyncTrigger = z.infer<typeof syncTriggerSchema>;

/** A container of the organization: the root or an OU. */
export const parentIdSchema = z.union([rootIdSchema, ouIdSchema]);

/** What a folder or connection sets for itself; what it leaves out, it inherits. */
export const nodeOverridesSchema = z.object({
  regions: regionListSchema.optional(),
  /** Replaces the inherited options as a whole. */
  options: optionsSchema.optional(),
  permissions: permissionsSchema.optional(),
});
export type NodeOverrides = z.infer<typeof nodeOverridesSchema>;

/** Where an effective setting comes from: the integration, or the folder or connection that set it. */
export const settingSourceSchema = z.object({
  type: z.enum(['integration', 'folder', 'connection']),
  id: z.string(),
});
export type SettingSource = z.infer<typeof settingSourceSchema>;

/** Each setting's value after inheritance, with where it comes from. */
export const effectiveSettingsSchema = z.object({
  regions: z.object({ value: z.array(regionSchema), source: settingSourceSchema }),
  options: z.object({ value: optionsSchema, source: settingSourceSchema }),
  permissions: z.object({ value: permissionsSchema, source: settingSourceSchema }),
});
export type EffectiveSettings = z.infer<typeof effectiveSettingsSchema>;

/** What every folder and connection carries beside its own fields. */
const nodeCommon = {
  version: z.number().int().min(1),
  name: z.string(),
  handle: z.string(),
  /** `user`: set over the API, kept as it is. `generated`: follows the integration's prefix. */
  handleSource: z.enum(['generated', 'user']),
  /** The prefix a generated handle was made with. */
  handlePrefix: handlePrefixSchema.nullable(),
  overrides: nodeOverridesSchema,
  effective: effectiveSettingsSchema,
  /**
   * The OU's or account's Organizations tags, when the integration reads them (its `tags`
   * setting, or tag rules in its scope filters); absent when it does not.
   */
  tags: z.record(z.string(), z.string()).optional(),
};

/** One folder of the mirror: an OU, keyed by its id. */
export const folderSchema = z.object({
  type: z.literal('folder'),
  id: ouIdSchema,
  parentId: parentIdSchema,
  ...nodeCommon,
  /** `denied` when the discovery role may not list this OU's children; its subtree is kept. */
  access: z.enum(['ok', 'denied']),
  accessHint: z.string().nullable(),
  updatedAt: z.iso.datetime(),
});
export type Folder = z.infer<typeof folderSchema>;

/** One connection of the mirror: an account, keyed by its id. */
export const connectionSchema = z.object({
  type: z.literal('connection'),
  id: accountIdSchema,
  /** The OU or root that holds the account; null for an `account` integration. */
  parentId: parentIdSchema.nullable(),
  ...nodeCommon,
  email: z.string().nullable(),
  state: orgAccountStateSchema,
  /** Suspended, pending-closure and pending-activation accounts stay, but cannot be used. */
  disabled: z.boolean(),
  roleArn: z.string(),
  managementAccount: z.boolean(),
  /**
   * A new account of an integration that holds new accounts: never shared and given no
   * credentials until approved.
   */
  held: z.boolean().default(false),
  updatedAt: z.iso.datetime(),
});
export type Connection = z.infer<typeof connectionSchema>;

export const mirrorNodeSchema = z.discriminatedUnion('type', [folderSchema, connectionSchema]);
export type MirrorNode = Folder | Connection;

/** The member-role StackSet's instance in an account, as CloudFormation reports it. */
export const stackInstanceSchema = z.object({
  stackSetName: z.string(),
  region: regionSchema,
  /** `CURRENT`, `OUTDATED` or `INOPERABLE`; null: the StackSet has no instance in the account. */
  status: z.string().nullable(),
  /** `SUCCEEDED`, `FAILED`, `PENDING`, `RUNNING`, `SKIPPED_SUSPENDED_ACCOUNT`, ... */
  detailedStatus: z.string().nullable(),
  reason: z.string().nullable(),
});
export type StackInstance = z.infer<typeof stackInstanceSchema>;

export type { DeniedAction } from './api/common';

/**
 * The role's permissions against the manifest, by IAM's policy simulation. `unknown`: the
 * simulation itself was refused (a role from an older template) or could not finish.
 */
export const permissionVerdictSchema = z.object({
  status: z.enum(['ok', 'missing', 'unknown']),
  denied: z.array(deniedActionSchema),
  hint: z.string().nullable(),
});
export type PermissionVerdict = z.infer<typeof permissionVerdictSchema>;

/**
 * Can we assume the connection's member role with the integration's External ID?
 * `not_deployed` needs the StackSet's word that the role is not there; without it, a refusal is
 * `denied`. `pending_deployment`: the account is new and its StackSet instance is not current
 * yet, so the refusal is expected for a while.
 */
export const memberHealthSchema = z.object({
  status: z.enum(['ok', 'denied', 'not_deployed', 'pending_deployment', 'error']),
  checkedAt: z.iso.datetime(),
  code: z.string().nullable(),
  hint: z.string().nullable(),
  stackInstance: stackInstanceSchema.nullable(),
  /** Checked once the role lets us in; null before. */
  permissions: permissionVerdictSchema.nullable().default(null),
  /** The version its tag names; null when it has none or it could not be read. */
  templateVersion: z.number().int().nullable().default(null),
  /** Whether the role should be updated to the current template; null when not known. */
  outdated: z.boolean().nullable().default(null),
  /** `pending_deployment` only: since when the account has waited for its role. */
  pendingSince: z.iso.datetime().nullable().default(null),
  /**
   * The regions the account has enabled (opted in, or enabled by default), read through the
   * role once it lets us in; null when it may not read them (account:ListRegions) or before.
   */
  enabledRegions: z.array(regionSchema).nullable().default(null),
});
export type MemberHealth = z.infer<typeof memberHealthSchema>;

/**
 * A connection as the API shows it: the mirror's node, its last health check (null: never
 * checked), and its regions against the ones its account has enabled.
 */
export const connectionViewSchema = connectionSchema.extend({
  health: memberHealthSchema.nullable(),
  /** From the last health check; null when not known. */
  enabledRegions: z.array(regionSchema).nullable(),
  /**
   * The configured regions (`effective.regions`) that the account has enabled: where calls can
   * work. All configured regions while the enabled ones are not known.
   */
  effectiveRegions: z.array(regionSchema),
  /** Configured regions the account has not enabled; the health's hint names them. */
  regionsNotEnabled: z.array(regionSchema),
});
export type ConnectionView = z.infer<typeof connectionViewSchema>;

export const treePageSchema = listSchema(z.discriminatedUnion('type', [folderSchema, connectionViewSchema]));

/** The last complete check of every active connection's member role. */
export const memberAccessSummarySchema = z.object({
  checkedAt: z.iso.datetime(),
  ok: z.number().int(),
  denied: z.number().int(),
  notDeployed: z.number().int(),
  pendingDeployment: z.number().int().default(0),
  error: z.number().int(),
  /** Whether the discovery role could read the member-role StackSet; null when none is named. */
  stackSetReadable: z.boolean().nullable(),
  /** The permission verdicts of the roles that let us in. */
  permissions: z
    .object({ ok: z.number().int(), missing: z.number().int(), unknown: z.number().int() })
    .default({ ok: 0, missing: 0, unknown: 0 }),
  /** How many roles run each template version (`unknown`: no readable tag). */
  templateVersions: z.record(z.string(), z.number().int()).default({}),
});
export type MemberAccessSummary = z.infer<typeof memberAccessSummarySchema>;

export const runStatusSchema = z.enum(['running', 'succeeded', 'partial', 'failed', 'needs_review']);
export type RunStatus = z.infer<typeof runStatusSchema>;

export const runCountsSchema = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  deleted: z.number().int(),
  /** Deletions a complete run held back for review. */
  heldDeletions: z.number().int(),
});
export type RunCounts = z.infer<typeof runCountsSchema>;

export const runProgressSchema = z.object({
  foldersSeen: z.number().int(),
  accountsSeen: z.number().int(),
  organizationsCalls: z.number().int(),
  /** Of those calls, how many Organizations throttled; each was retried with backoff. */
  organizationsThrottles: z.number().int().default(0),
  steps: z.number().int(),
});
export type RunProgress = z.infer<typeof runProgressSchema>;

export const runErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  hint: z.string().nullable(),
});
export type RunError = z.infer<typeof runErrorSchema>;

/** One sync run as the API shows it. The resumable checkpoint stays inside the store. */
/**
 * What a targeted run re-reads, from Organizations events; a run without targets walks the
 * whole organization.
 */
export const syncTargetsSchema = z.object({
  /** Containers (the root or OUs) to list again. */
  containers: z.array(parentIdSchema),
  /** Accounts to find (ListParents) and read again (DescribeAccount). */
  accounts: z.array(accountIdSchema),
  /** OUs whose parent to list again: where a rename or a deletion shows. */
  ous: z.array(ouIdSchema),
  /** Accounts and OUs whose tags to read again (ListTagsForResource), where the mirror holds them. */
  tagged: z.array(z.union([accountIdSchema, ouIdSchema])).default([]),
  /**
   * Accounts that opted a region in or out: nothing is listed again, but the member check after
   * the run reads their enabled regions.
   */
  regionsChanged: z.array(accountIdSchema).default([]),
});
export type SyncTargets = z.infer<typeof syncTargetsSchema>;

/** Targets naming these ids, and nothing else. */
export function syncTargets(named: Partial<SyncTargets> = {}): SyncTargets {
  return { containers: [], accounts: [], ous: [], tagged: [], regionsChanged: [], ...named };
}

export const syncRunSchema = z.object({
  id: z.string(),
  integrationId: z.uuid(),
  trigger: syncTriggerSchema,
  status: runStatusSchema,
  confirmDeletions: z.boolean(),
  /** null: the whole organization. */
  targets: syncTargetsSchema.nullable().default(null),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  progress: runProgressSchema,
  counts: runCountsSchema,
  error: runErrorSchema.nullable(),
});
export type SyncRun = z.infer<typeof syncRunSchema>;
export const syncRunListSchema = listSchema(syncRunSchema);

export const startSyncQuerySchema = z.strictObject({
  confirmDeletions: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});

export const syncAcceptedSchema = z.object({
  runId: z.string(),
  /** True when a sync was already running: this request is folded into a follow-up run. */
  coalesced: z.boolean(),
});

export const integrationStatusReportSchema = z.object({
  id: z.uuid(),
  status: z.enum(['pending', 'syncing', 'connected', 'error', 'needs_review', 'deleting']),
  lastError: runErrorSchema.nullable(),
  currentRun: syncRunSchema.nullable(),
  lastRun: syncRunSchema.nullable(),
  /** `held`: connections held for approval. */
  counts: z.object({ folders: z.number().int(), connections: z.number().int(), held: z.number().int() }),
  /** null until the first check of the member roles has finished. */
  memberAccess: memberAccessSummarySchema.nullable(),
  /**
   * When every member role is next checked even if nothing changes (the last check's
   * `checkedAt` plus the interval); null: at the end of the next sync. A sync that creates
   * connections, or a whole-organization sync that changes any, checks them sooner.
   */
  memberCheckDueAt: z.iso.datetime().nullable(),
  /** The member roles' template versions, from that check; null before it. */
  memberTemplates: z
    .object({
      current: z.number().int(),
      /** e.g. "37 accounts run v2, 5 run v3; current is v3". */
      summary: z.string(),
      /** Roles below the current version, or without a readable version tag. */
      outdated: z.number().int(),
      /** How to bring them up to date; null when none is outdated. */
      update: z.string().nullable(),
    })
    .nullable(),
});
export type IntegrationStatusReport = z.infer<typeof integrationStatusReportSchema>;
