import { z } from 'zod';
import { accountIdSchema, listSchema } from './api/common';
import { ouIdSchema, rootIdSchema } from './sandbox-org';

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

/** One folder of the mirror: an OU, keyed by its id. */
export const folderSchema = z.object({
  type: z.literal('folder'),
  id: ouIdSchema,
  version: z.number().int().min(1),
  parentId: parentIdSchema,
  name: z.string(),
  handle: z.string(),
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
  version: z.number().int().min(1),
  /** The OU or root that holds the account; null for an `account` integration. */
  parentId: parentIdSchema.nullable(),
  name: z.string(),
  email: z.string().nullable(),
  state: orgAccountStateSchema,
  /** Suspended, pending-closure and pending-activation accounts stay, but cannot be used. */
  disabled: z.boolean(),
  handle: z.string(),
  roleArn: z.string(),
  managementAccount: z.boolean(),
  updatedAt: z.iso.datetime(),
});
export type Connection = z.infer<typeof connectionSchema>;

export const mirrorNodeSchema = z.discriminatedUnion('type', [folderSchema, connectionSchema]);
export type MirrorNode = Folder | Connection;

export const treePageSchema = listSchema(mirrorNodeSchema);

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
});
export type SyncTargets = z.infer<typeof syncTargetsSchema>;

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
  counts: z.object({ folders: z.number().int(), connections: z.number().int() }),
});
