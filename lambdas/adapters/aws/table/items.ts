import * as z from 'zod';
import { type AuditEntry, auditEntrySchema } from '../../../../schemas/api/audit';
import { type Integration, integrationSchema } from '../../../../schemas/api/integrations';
import type { ChangeEvent } from '../../../../schemas/events';
import {
  type MirrorNode,
  memberAccessSummarySchema,
  mirrorNodeSchema,
  runErrorSchema,
  type SyncRun,
  syncRunSchema,
  syncTargetsSchema,
} from '../../../../schemas/sync';
import { GLOBAL_INDEXES, ITEM_KEYS } from '../../../../schemas/table';
import type { AuditRecord } from '../../../domain/audit';
import { publishable } from '../../../domain/change-events';
import { nodeKey } from '../../../domain/node-key';
import type { FollowUp } from '../../../domain/sync-runs';
import type { Condition } from './expressions';
import type { ItemKey } from './transaction';

/**
 * The table's item types: for each, its key, its attributes and the conditions writers put on
 * it. Adapters build their requests from these, so a key or a condition is spelled once.
 * docs/data-model.md explains each key.
 */

// ─── The integration item ────────────────────────────────────────────────────────────────

const followUpSchema: z.ZodType<FollowUp> = z.object({
  trigger: syncRunSchema.shape.trigger,
  confirmDeletions: z.boolean(),
  targets: syncTargetsSchema.nullable().default(null),
  // Optional, not defaulted: writers compare the stored JSON with the follow-up they read.
  correlationId: z.string().optional(),
});

/** The sync engine's attributes on the integration item, beside the integration itself. */
const syncAttributesSchema = z.object({
  activeRunId: z.string().optional(),
  leaseExpiresAt: z.number().optional(),
  /** JSON, so a condition can compare it as a string. */
  followUp: z.string().optional(),
  lastRunId: z.string().optional(),
  lastError: runErrorSchema.nullable().optional(),
  folderCount: z.number().optional(),
  connectionCount: z.number().optional(),
  heldCount: z.number().optional(),
  /** When a complete run first mirrored the organization (epoch ms). */
  mirroredAt: z.number().optional(),
  /** When a DELETE was accepted (epoch ms). */
  deletingSince: z.number().optional(),
  memberAccess: memberAccessSummarySchema.optional(),
  /** The member check that holds the integration's check lease, and until when (epoch ms). */
  memberCheckId: z.string().optional(),
  memberCheckUntil: z.number().optional(),
  /** The last event sequence number given out; every write that publishes moves it on. */
  eventSequence: z.number().optional(),
  /** When the last complete walk that read every tag started (epoch ms). */
  tagsReadAt: z.number().optional(),
});

export interface IntegrationRecord {
  readonly integration: Integration;
  readonly sync: z.infer<typeof syncAttributesSchema>;
  readonly followUp: FollowUp | null;
}

export const integrationItem = {
  key: (tenantId: string, integrationId: string): ItemKey => ({
    pk: ITEM_KEYS.tenant(tenantId),
    sk: ITEM_KEYS.integration(integrationId),
  }),

  /**
   * A new integration's item: on the schedule from `firstDueAt`, on the routing index when it has
   * a management account, and its event counter at its first event's number.
   */
  item(tenantId: string, integration: Integration, start: { firstDueAt: string; eventSequence: number }) {
    const key = integrationItem.key(tenantId, integration.id);
    const { bySchedule, byManagementAccount } = GLOBAL_INDEXES;
    const routing =
      integration.managementAccountId === null
        ? {}
        : {
            [byManagementAccount.partitionKey]: ITEM_KEYS.managementAccount(
              integration.partition,
              integration.managementAccountId,
            ),
            [byManagementAccount.sortKey]: `${key.pk}#${key.sk}`,
          };
    return {
      ...key,
      ...integration,
      ...routing,
      [bySchedule.partitionKey]: ITEM_KEYS.scheduleDue,
      [bySchedule.sortKey]: start.firstDueAt,
      eventSequence: start.eventSequence,
    };
  },

  parse(item: Record<string, unknown>): IntegrationRecord {
    const sync = syncAttributesSchema.parse(item);
    return {
      integration: integrationSchema.parse(item),
      sync,
      followUp: sync.followUp ? followUpSchema.parse(JSON.parse(sync.followUp)) : null,
    };
  },

  /** What a deleting integration drops at once: the schedule and the routing index pass it by. */
  indexAttributes: [
    GLOBAL_INDEXES.bySchedule.partitionKey,
    GLOBAL_INDEXES.bySchedule.sortKey,
    GLOBAL_INDEXES.byManagementAccount.partitionKey,
    GLOBAL_INDEXES.byManagementAccount.sortKey,
  ],

  /** A DELETE was not accepted: nothing but the deletion run may write it. */
  notDeleting: { expression: 'attribute_not_exists(deletingSince)' } satisfies Condition,
  /** A deletion takes over any sync's lease, but not a live deletion run's. */
  deletionMayStart(now: number): Condition {
    return {
      expression:
        'attribute_not_exists(deletingSince) OR attribute_not_exists(activeRunId) OR leaseExpiresAt < :now',
      values: { ':now': now },
    };
  },

  holdsLease(runId: string): Condition {
    return { expression: 'activeRunId = :leaseRun', values: { ':leaseRun': runId } };
  },
  /** No run holds the lease, or its holder is past its time (a run that died). */
  /** No member check holds the check lease, or it ran out, or it is this check's own. */
  memberCheckFree(checkId: string, now: number): Condition {
    return {
      expression:
        'attribute_not_exists(memberCheckUntil) OR memberCheckUntil < :checkNow OR memberCheckId = :checkId',
      values: { ':checkNow': now, ':checkId': checkId },
    };
  },
  memberCheckHeldBy(checkId: string): Condition {
    return { expression: 'memberCheckId = :holder', values: { ':holder': checkId } };
  },
  leaseFree(now: number): Condition {
    return {
      expression: 'attribute_not_exists(activeRunId) OR leaseExpiresAt < :now',
      values: { ':now': now },
    };
  },
  leaseLive(now: number): Condition {
    return {
      expression: 'attribute_exists(activeRunId) AND leaseExpiresAt >= :now',
      values: { ':now': now },
    };
  },
  /** The follow-up is still the one read (null: none was asked for). */
  followUpIs(seen: FollowUp | null): Condition {
    return seen === null
      ? { expression: 'attribute_not_exists(followUp)' }
      : { expression: 'followUp = :seenFollowUp', values: { ':seenFollowUp': JSON.stringify(seen) } };
  },
  followUpValue: (followUp: FollowUp): string => JSON.stringify(followUp),
  /** The next scheduled sync is still due when the reader saw it (another tick moved nothing). */
  dueAtIs(dueAt: string): Condition {
    return {
      expression: '#due = :seenDue',
      names: { '#due': GLOBAL_INDEXES.bySchedule.sortKey },
      values: { ':seenDue': dueAt },
    };
  },
  /** No one gave out event numbers since `last` was read. */
  sequenceIs(last: number): Condition {
    return { expression: 'eventSequence = :previousSequence', values: { ':previousSequence': last } };
  },
} as const;

/** Claims of an integration's handle and role inside the tenant: what makes both unique. */
export const integrationClaims = {
  handleKey: (tenantId: string, handle: string): ItemKey => ({
    pk: ITEM_KEYS.tenant(tenantId),
    sk: ITEM_KEYS.integrationHandle(handle),
  }),
  roleKey: (tenantId: string, roleIdentity: string): ItemKey => ({
    pk: ITEM_KEYS.tenant(tenantId),
    sk: ITEM_KEYS.integrationRole(roleIdentity),
  }),
  item: (key: ItemKey, integrationId: string, createdAt: string) => ({ ...key, integrationId, createdAt }),
  claimedBy,
  /** Releasing a claim that is already gone is fine; another integration's is not ours to release. */
  ownOrAbsent(integrationId: string): Condition {
    return {
      expression: 'attribute_not_exists(pk) OR integrationId = :claimant',
      values: { ':claimant': integrationId },
    };
  },
} as const;

function claimedBy(integrationId: string): Condition {
  return { expression: 'integrationId = :claimant', values: { ':claimant': integrationId } };
}

// ─── The mirror: folders, connections and their handle claims ─────────────────────────────

export const mirrorItem = {
  key: (tenantId: string, integrationId: string, node: Pick<MirrorNode, 'type' | 'id'>): ItemKey => ({
    pk: ITEM_KEYS.tenant(tenantId),
    sk:
      node.type === 'folder'
        ? ITEM_KEYS.folder(integrationId, node.id)
        : ITEM_KEYS.connection(integrationId, node.id),
  }),
  item: (tenantId: string, integrationId: string, node: MirrorNode) => ({
    ...mirrorItem.key(tenantId, integrationId, node),
    ...node,
  }),
  parse: (item: Record<string, unknown>): MirrorNode => mirrorNodeSchema.parse(item),
} as const;

export const nodeHandleClaim = {
  key: (tenantId: string, handle: string): ItemKey => ({
    pk: ITEM_KEYS.tenant(tenantId),
    sk: ITEM_KEYS.nodeHandle(handle),
  }),
  item: (tenantId: string, integrationId: string, node: MirrorNode) => ({
    ...nodeHandleClaim.key(tenantId, node.handle),
    integrationId,
    node: nodeKey(node),
  }),
  claimedBy,
} as const;

// ─── Sync runs ──────────────────────────────────────────────────────────────────────────────

/** Finished runs stay in the history this long. */
export const RUN_RETENTION_DAYS = 90;

export const runItem = {
  key: (tenantId: string, integrationId: string, runId: string): ItemKey => ({
    pk: ITEM_KEYS.tenant(tenantId),
    sk: ITEM_KEYS.run(integrationId, runId),
  }),
  item: (tenantId: string, run: SyncRun) => ({ ...runItem.key(tenantId, run.integrationId, run.id), ...run }),
  /** A finished run, with the time after which TTL removes it. */
  finished: (tenantId: string, run: SyncRun, now: number) => ({
    ...runItem.item(tenantId, run),
    expiresAt: Math.floor(now / 1000) + RUN_RETENTION_DAYS * 24 * 3600,
  }),
  parse: (item: Record<string, unknown>): SyncRun => syncRunSchema.parse(item),
} as const;

// ─── The outbox ─────────────────────────────────────────────────────────────────────────────

/**
 * Outbox items only need to outlive the stream (24 h) to be published. They are kept 14 days, so
 * `npm run replay-events` can publish again what the publisher gave up on, found after a long
 * weekend and a holiday.
 */
const OUTBOX_TTL_SECONDS = 14 * 24 * 3600;

/** The transactional outbox: written with each change, published from the table's stream. */
export const outboxItem = {
  /** Only what `publishable` keeps is written: no secret reaches the bus. */
  item(tenantId: string, integrationId: string, event: ChangeEvent, now: number) {
    const { detailType, detail } = publishable(event);
    return {
      pk: ITEM_KEYS.tenant(tenantId),
      sk: ITEM_KEYS.outbox(integrationId, detail.sequence),
      detailType,
      detail,
      expiresAt: Math.floor(now / 1000) + OUTBOX_TTL_SECONDS,
    };
  },
} as const;

// ─── Member-role health ─────────────────────────────────────────────────────────────────────

export const memberHealthItem = {
  key: (tenantId: string, integrationId: string, accountId: string): ItemKey => ({
    pk: ITEM_KEYS.tenant(tenantId),
    sk: ITEM_KEYS.memberHealth(integrationId, accountId),
  }),
  /** The record is still the one read (by when it was checked). */
  checkedAtIs(checkedAt: string): Condition {
    return { expression: 'checkedAt = :checkedBefore', values: { ':checkedBefore': checkedAt } };
  },
} as const;

// ─── The audit log ──────────────────────────────────────────────────────────────────────────

export const auditItem = {
  /** The entry, with the org a reader must belong to (none: tenant owners only) and its expiry. */
  item(tenantId: string, { entry, expiresAt }: AuditRecord) {
    return {
      pk: ITEM_KEYS.tenant(tenantId),
      sk: ITEM_KEYS.audit(entry.at, entry.id),
      ...entry,
      scopeOrgId: entry.scope.level === 'org' ? entry.scope.orgId : null,
      expiresAt,
    };
  },
  parse: (item: Record<string, unknown>): AuditEntry => auditEntrySchema.parse(item),
} as const;
