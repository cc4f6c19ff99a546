import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { type Integration, integrationSchema } from '../../../schemas/api/integrations';
import type { ChangeEvent } from '../../../schemas/events';
import {
  type MirrorNode,
  memberAccessSummarySchema,
  mirrorNodeSchema,
  runErrorSchema,
  type SyncRun,
  syncRunSchema,
  syncTargetsSchema,
} from '../../../schemas/sync';
import { GLOBAL_INDEXES, ITEM_KEYS } from '../../../schemas/table';
import { errorName, NotFoundError } from '../../core/errors';
import { nodeKey } from '../../domain/node-key';
import {
  type BeginResult,
  type Checkpoint,
  type FollowUp,
  FollowUpChangedError,
  IntegrationDeletingError,
  LeaseLostError,
  MirrorConflictError,
  type MirrorStore,
  type MirrorWrite,
  NodeHandleTakenError,
  type RunOutcome,
  type RunRef,
  SequenceMovedError,
  type StoredRun,
  type SyncStateStore,
  type SyncTarget,
} from '../../sync/ports';
import { mergeFollowUp } from '../../sync/targets';
import { queryPage } from './query-page';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Outbox items only need to outlive the stream (24 h); a week leaves room to replay. */
const OUTBOX_TTL_SECONDS = 7 * 24 * 3600;
/** Each round of a burst lets at least one writer through, so a burst of n needs about n rounds. */
const BEGIN_ATTEMPTS = 60;

/** Finished runs stay in the history this long. */
export const RUN_RETENTION_DAYS = 90;

const followUpSchema = z.object({
  trigger: syncRunSchema.shape.trigger,
  confirmDeletions: z.boolean(),
  targets: syncTargetsSchema.nullable().default(null),
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
  /** When a DELETE was accepted (epoch ms). */
  deletingSince: z.number().optional(),
  memberAccess: memberAccessSummarySchema.optional(),
  eventSequence: z.number().optional(),
});

/** What a deleting integration drops at once: the schedule and the routing index pass it by. */
const INDEX_KEYS = [
  GLOBAL_INDEXES.bySchedule.partitionKey,
  GLOBAL_INDEXES.bySchedule.sortKey,
  GLOBAL_INDEXES.byManagementAccount.partitionKey,
  GLOBAL_INDEXES.byManagementAccount.sortKey,
];

/**
 * The sync engine's records in the table: the lease and status on the integration item, one item
 * per run (with its checkpoint while it runs), one per folder and connection, handle claims, and
 * outbox items that the table's stream turns into events.
 */
export class DynamoDbSync implements SyncStateStore, MirrorStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: () => number = Date.now,
  ) {}

  async target(tenantId: string, integrationId: string): Promise<SyncTarget | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: ITEM_KEYS.tenant(tenantId), sk: ITEM_KEYS.integration(integrationId) },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const integration = integrationSchema.parse(Item);
    const sync = syncAttributesSchema.parse(Item);
    return {
      tenantId,
      integration,
      status: integration.status === 'syncing' ? 'pending' : integration.status,
      activeRunId: sync.activeRunId ?? null,
      leaseExpiresAt: sync.leaseExpiresAt ?? null,
      followUp: sync.followUp ? followUpSchema.parse(JSON.parse(sync.followUp)) : null,
      lastRunId: sync.lastRunId ?? null,
      lastError: sync.lastError ?? null,
      counts: { folders: sync.folderCount ?? 0, connections: sync.connectionCount ?? 0 },
      deleting: sync.deletingSince !== undefined,
      memberAccess: sync.memberAccess ?? null,
      eventSequence: sync.eventSequence ?? 0,
    };
  }

  async begin(
    { tenantId, integrationId }: { tenantId: string; integrationId: string },
    run: SyncRun,
    { now, leaseExpiresAt }: { now: number; leaseExpiresAt: number },
  ): Promise<BeginResult> {
    const pk = ITEM_KEYS.tenant(tenantId);
    const integrationKey = { pk, sk: ITEM_KEYS.integration(integrationId) };
    // A burst of Organizations events folds into one follow-up: writers that lose the race
    // read it again and retry after a short random wait.
    for (let attempt = 0; attempt < BEGIN_ATTEMPTS; attempt += 1) {
      if (attempt > 0) await sleep(Math.random() * Math.min(1_000, 25 * 2 ** attempt));
      const taken = await this.takeLease(tenantId, run, {
        // A lease past its time belongs to a run that died; it may be taken over.
        condition:
          'attribute_not_exists(deletingSince) AND (attribute_not_exists(activeRunId) OR leaseExpiresAt < :now)',
        values: { ':now': now, ':lease': leaseExpiresAt },
      });
      if (taken) return { started: true, run };
      // Another run holds the lease: fold this request into its follow-up.
      const current = await this.target(tenantId, integrationId);
      if (!current) throw new NotFoundError('The integration');
      if (current.deleting) throw new IntegrationDeletingError();
      const request: FollowUp = {
        trigger: run.trigger,
        confirmDeletions: run.confirmDeletions,
        targets: run.targets,
      };
      const seen = current.followUp === null ? null : JSON.stringify(current.followUp);
      try {
        const { Attributes } = await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: integrationKey,
            ConditionExpression: `attribute_not_exists(deletingSince) AND attribute_exists(activeRunId) AND leaseExpiresAt >= :now AND ${
              seen === null ? 'attribute_not_exists(followUp)' : 'followUp = :seen'
            }`,
            UpdateExpression: 'SET followUp = :followUp',
            ExpressionAttributeValues: {
              ':now': now,
              ':followUp': JSON.stringify(mergeFollowUp(current.followUp, request)),
              ...(seen === null ? {} : { ':seen': seen }),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { started: false, activeRunId: String(Attributes?.activeRunId) };
      } catch (error: unknown) {
        if (errorName(error) !== 'ConditionalCheckFailedException') throw error;
        // The running sync ended, or another request changed the follow-up, in between: again.
      }
    }
    throw new MirrorConflictError();
  }

  async beginDeletion(
    { tenantId, integrationId }: { tenantId: string; integrationId: string },
    run: SyncRun,
    { now, leaseExpiresAt }: { now: number; leaseExpiresAt: number },
  ): Promise<BeginResult> {
    const taken = await this.takeLease(tenantId, run, {
      // A sync's lease is taken over; a live deletion run's is not.
      condition:
        '(attribute_not_exists(deletingSince) OR attribute_not_exists(activeRunId) OR leaseExpiresAt < :now)',
      set: 'deletingSince = if_not_exists(deletingSince, :now), #status = :deleting',
      names: { '#status': 'status' },
      remove: INDEX_KEYS,
      values: { ':now': now, ':lease': leaseExpiresAt, ':deleting': 'deleting' },
    });
    if (taken) return { started: true, run };
    const current = await this.target(tenantId, integrationId);
    if (!current) throw new NotFoundError('The integration');
    if (current.deleting && current.activeRunId !== null) {
      return { started: false, activeRunId: current.activeRunId };
    }
    throw new MirrorConflictError();
  }

  async removeIntegration(
    ref: RunRef,
    final: { run: SyncRun; integration: Integration; roleIdentity: string; event: ChangeEvent },
  ): Promise<void> {
    const pk = ITEM_KEYS.tenant(ref.tenantId);
    const ownClaim = {
      ConditionExpression: 'attribute_not_exists(pk) OR integrationId = :integration',
      ExpressionAttributeValues: { ':integration': ref.integrationId },
    };
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tableName,
                Key: { pk, sk: ITEM_KEYS.integration(ref.integrationId) },
                ConditionExpression: 'activeRunId = :run',
                ExpressionAttributeValues: { ':run': ref.runId },
              },
            },
            {
              Delete: {
                TableName: this.tableName,
                Key: { pk, sk: ITEM_KEYS.integrationHandle(final.integration.handle) },
                ...ownClaim,
              },
            },
            {
              Delete: {
                TableName: this.tableName,
                Key: { pk, sk: ITEM_KEYS.integrationRole(final.roleIdentity) },
                ...ownClaim,
              },
            },
            { Put: { TableName: this.tableName, Item: this.finishedRunItem(ref, final.run) } },
            this.putOutbox(ref.tenantId, ref.integrationId, final.event),
          ],
        }),
      );
    } catch (error: unknown) {
      if (error instanceof TransactionCanceledException) throw new LeaseLostError(ref.runId);
      throw error;
    }
  }

  async run(ref: RunRef): Promise<StoredRun | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: this.runKey(ref), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const checkpoint = Item.checkpoint instanceof Uint8Array ? unpack(Item.checkpoint) : null;
    return { run: syncRunSchema.parse(Item), checkpoint };
  }

  async saveProgress(
    ref: RunRef,
    update: {
      progress: SyncRun['progress'];
      counts: SyncRun['counts'];
      checkpoint: Checkpoint;
      leaseExpiresAt: number;
    },
  ): Promise<void> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            this.fencedIntegrationUpdate(ref, 'SET leaseExpiresAt = :lease', {
              ':lease': update.leaseExpiresAt,
            }),
            {
              Update: {
                TableName: this.tableName,
                Key: this.runKey(ref),
                UpdateExpression: 'SET progress = :progress, #counts = :counts, checkpoint = :checkpoint',
                ExpressionAttributeNames: { '#counts': 'counts' },
                ExpressionAttributeValues: {
                  ':progress': update.progress,
                  ':counts': update.counts,
                  ':checkpoint': pack(update.checkpoint),
                },
              },
            },
          ],
        }),
      );
    } catch (error: unknown) {
      if (error instanceof TransactionCanceledException) throw new LeaseLostError(ref.runId);
      throw error;
    }
  }

  async finish(ref: RunRef, outcome: RunOutcome): Promise<void> {
    const seen = outcome.followUpSeen ? JSON.stringify(outcome.followUpSeen) : null;
    const values: Record<string, unknown> = {
      ':status': outcome.status,
      ':lastError': outcome.lastError,
      ':folders': outcome.counts.folders,
      ':connections': outcome.counts.connections,
      ':ended': ref.runId,
    };
    const set = [
      '#status = :status',
      'lastError = :lastError',
      'folderCount = :folders',
      'connectionCount = :connections',
      'lastRunId = :ended',
    ];
    let remove = ['activeRunId', 'leaseExpiresAt', 'followUp'];
    if (outcome.nextRun) {
      // The follow-up run inherits the lease in the same write: no one can slip in between.
      set.push('activeRunId = :next', 'leaseExpiresAt = :lease');
      remove = ['followUp'];
      values[':next'] = outcome.nextRun.id;
      values[':lease'] = outcome.leaseExpiresAt;
    }
    const followUpCondition = seen === null ? 'attribute_not_exists(followUp)' : 'followUp = :seen';
    if (seen !== null) values[':seen'] = seen;
    const items: TransactItem[] = [
      {
        Update: {
          TableName: this.tableName,
          Key: { pk: ITEM_KEYS.tenant(ref.tenantId), sk: ITEM_KEYS.integration(ref.integrationId) },
          ConditionExpression: `activeRunId = :run AND ${followUpCondition}`,
          UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ...values, ':run': ref.runId },
        },
      },
      { Put: { TableName: this.tableName, Item: this.finishedRunItem(ref, outcome.run) } },
      ...(outcome.nextRun ? [this.putRun(ref.tenantId, outcome.nextRun)] : []),
      ...outcome.events.map((event) => this.putOutbox(ref.tenantId, ref.integrationId, event)),
    ];
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error: unknown) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const target = await this.target(ref.tenantId, ref.integrationId);
      if (target?.activeRunId !== ref.runId) throw new LeaseLostError(ref.runId);
      throw new FollowUpChangedError('A follow-up was asked for while the run ended');
    }
  }

  async reserveSequence(tenantId: string, integrationId: string, count: number): Promise<number> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: ITEM_KEYS.tenant(tenantId), sk: ITEM_KEYS.integration(integrationId) },
        ConditionExpression: 'attribute_exists(pk)',
        UpdateExpression: 'ADD eventSequence :count',
        ExpressionAttributeValues: { ':count': count },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.eventSequence) - count + 1;
  }

  async listRuns(tenantId: string, integrationId: string, page: { limit: number; cursor?: string }) {
    const result = await queryPage(this.db, this.tableName, {
      tenantId,
      prefix: ITEM_KEYS.runPrefix(integrationId),
      ...page,
      forward: false,
    });
    return { ...result, items: result.items.map((item) => syncRunSchema.parse(item)) };
  }

  async load(tenantId: string, integrationId: string): Promise<MirrorNode[]> {
    const nodes: MirrorNode[] = [];
    const pages = paginateQuery(
      { client: this.db, pageSize: 1000 },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': ITEM_KEYS.tenant(tenantId),
          ':prefix': ITEM_KEYS.mirrorPrefix(integrationId),
        },
        ConsistentRead: true,
      },
    );
    for await (const page of pages)
      for (const item of page.Items ?? []) nodes.push(mirrorNodeSchema.parse(item));
    return nodes;
  }

  async apply(ref: RunRef, writes: readonly MirrorWrite[]): Promise<void> {
    const first = writes[0]?.event.detail.sequence;
    const last = writes.at(-1)?.event.detail.sequence;
    if (first === undefined || last === undefined) return;
    if (last - first !== writes.length - 1) throw new Error('apply needs consecutive event sequence numbers');
    // A run that lost its lease (to a deletion, or to a run that took over) writes nothing. The
    // same item gives out the events' sequence numbers, so no other writer can slip between the
    // numbers and the write (one request fewer than reserving them first). The counter exists
    // from the integration's creation, which numbers its Created event.
    await this.writeNodes(ref, writes, {
      guard: {
        Update: {
          TableName: this.tableName,
          Key: { pk: ITEM_KEYS.tenant(ref.tenantId), sk: ITEM_KEYS.integration(ref.integrationId) },
          ConditionExpression: 'activeRunId = :run AND eventSequence = :previous',
          UpdateExpression: 'SET eventSequence = :last',
          ExpressionAttributeValues: { ':run': ref.runId, ':previous': first - 1, ':last': last },
        },
      },
      refused: async () => {
        const target = await this.target(ref.tenantId, ref.integrationId);
        if (target?.activeRunId !== ref.runId) return new LeaseLostError(ref.runId);
        return new SequenceMovedError(target.eventSequence);
      },
    });
  }

  async node(
    tenantId: string,
    integrationId: string,
    type: MirrorNode['type'],
    id: string,
  ): Promise<MirrorNode | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: ITEM_KEYS.tenant(tenantId), sk: this.nodeSk(integrationId, { type, id }) },
        ConsistentRead: true,
      }),
    );
    return Item ? mirrorNodeSchema.parse(Item) : undefined;
  }

  async edit(
    target: { readonly tenantId: string; readonly integrationId: string },
    write: MirrorWrite,
  ): Promise<void> {
    await this.writeNodes(target, [write], {
      guard: {
        ConditionCheck: {
          TableName: this.tableName,
          Key: { pk: ITEM_KEYS.tenant(target.tenantId), sk: ITEM_KEYS.integration(target.integrationId) },
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletingSince)',
        },
      },
      refused: async () => new IntegrationDeletingError(),
    });
  }

  /**
   * Writes mirror changes with their handle claims and events in one transaction, behind
   * `guard`, a condition on (or update of) the integration's item; `refused` names its failure.
   */
  private async writeNodes(
    target: { readonly tenantId: string; readonly integrationId: string },
    writes: readonly MirrorWrite[],
    { guard, refused }: { guard: TransactItem; refused: () => Promise<Error> },
  ): Promise<void> {
    if (writes.length === 0) return;
    const { tenantId, integrationId } = target;
    const pk = ITEM_KEYS.tenant(tenantId);
    const items: TransactItem[] = [guard];
    /** The handle each item claims, by its position, to name a refused claim. */
    const claims = new Map<number, string>();
    const claimHandle = (node: MirrorNode) => {
      claims.set(items.length, node.handle);
      items.push({
        Put: {
          TableName: this.tableName,
          Item: { pk, sk: ITEM_KEYS.nodeHandle(node.handle), integrationId, node: nodeKey(node) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    };
    for (const { change, event } of writes) {
      const node = change.kind === 'update' ? change.after : change.node;
      const key = { pk, sk: this.nodeSk(integrationId, node) };
      if (change.kind === 'create') {
        items.push({
          Put: {
            TableName: this.tableName,
            Item: { ...key, ...node },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        });
        claimHandle(node);
      } else if (change.kind === 'update') {
        items.push({
          Put: {
            TableName: this.tableName,
            Item: { ...key, ...node },
            ConditionExpression: 'version = :version',
            ExpressionAttributeValues: { ':version': change.before.version },
          },
        });
        if (change.before.handle !== node.handle) {
          claimHandle(node);
          items.push(this.releaseNodeHandle(tenantId, integrationId, change.before.handle));
        }
      } else {
        items.push({
          Delete: {
            TableName: this.tableName,
            Key: key,
            ConditionExpression: 'version = :version',
            ExpressionAttributeValues: { ':version': node.version },
          },
        });
        items.push(this.releaseNodeHandle(tenantId, integrationId, node.handle));
      }
      items.push(this.putOutbox(tenantId, integrationId, event));
    }
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error: unknown) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') throw await refused();
      for (const [position, handle] of claims) {
        if (reasons[position]?.Code === 'ConditionalCheckFailed') throw new NodeHandleTakenError(handle);
      }
      throw new MirrorConflictError();
    }
  }

  private releaseNodeHandle(tenantId: string, integrationId: string, handle: string): TransactItem {
    return {
      Delete: {
        TableName: this.tableName,
        Key: { pk: ITEM_KEYS.tenant(tenantId), sk: ITEM_KEYS.nodeHandle(handle) },
        ConditionExpression: 'integrationId = :integration',
        ExpressionAttributeValues: { ':integration': integrationId },
      },
    };
  }

  async page(tenantId: string, integrationId: string, page: { limit: number; cursor?: string }) {
    const result = await queryPage(this.db, this.tableName, {
      tenantId,
      prefix: ITEM_KEYS.mirrorPrefix(integrationId),
      ...page,
    });
    return { ...result, items: result.items.map((item) => mirrorNodeSchema.parse(item)) };
  }

  private nodeSk(integrationId: string, node: Pick<MirrorNode, 'type' | 'id'>): string {
    return node.type === 'folder'
      ? ITEM_KEYS.folder(integrationId, node.id)
      : ITEM_KEYS.connection(integrationId, node.id);
  }

  /**
   * Gives `run` the integration's lease and writes the run's item, in one transaction, if
   * `condition` holds. False when it does not (or the integration is gone).
   */
  private async takeLease(
    tenantId: string,
    run: SyncRun,
    update: {
      condition: string;
      set?: string;
      remove?: readonly string[];
      names?: Record<string, string>;
      values: Record<string, unknown>;
    },
  ): Promise<boolean> {
    const set = ['activeRunId = :run', 'leaseExpiresAt = :lease', ...(update.set ? [update.set] : [])];
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: { pk: ITEM_KEYS.tenant(tenantId), sk: ITEM_KEYS.integration(run.integrationId) },
                ConditionExpression: `attribute_exists(pk) AND ${update.condition}`,
                UpdateExpression: `SET ${set.join(', ')} REMOVE ${['followUp', ...(update.remove ?? [])].join(', ')}`,
                ...(update.names ? { ExpressionAttributeNames: update.names } : {}),
                ExpressionAttributeValues: { ...update.values, ':run': run.id },
              },
            },
            this.putRun(tenantId, run),
          ],
        }),
      );
      return true;
    } catch (error: unknown) {
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
  }

  private finishedRunItem(ref: RunRef, run: SyncRun) {
    return {
      ...this.runKey(ref),
      ...run,
      expiresAt: Math.floor(this.clock() / 1000) + RUN_RETENTION_DAYS * 24 * 3600,
    };
  }

  private runKey(ref: RunRef) {
    return { pk: ITEM_KEYS.tenant(ref.tenantId), sk: ITEM_KEYS.run(ref.integrationId, ref.runId) };
  }

  private putRun(tenantId: string, run: SyncRun): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: { pk: ITEM_KEYS.tenant(tenantId), sk: ITEM_KEYS.run(run.integrationId, run.id), ...run },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private putOutbox(tenantId: string, integrationId: string, event: ChangeEvent): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: outboxItem(tenantId, integrationId, event, this.clock()),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private fencedIntegrationUpdate(
    ref: RunRef,
    update: string,
    values: Record<string, unknown>,
  ): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: { pk: ITEM_KEYS.tenant(ref.tenantId), sk: ITEM_KEYS.integration(ref.integrationId) },
        ConditionExpression: 'activeRunId = :run',
        UpdateExpression: update,
        ExpressionAttributeValues: { ...values, ':run': ref.runId },
      },
    };
  }
}

/** An outbox item: the table's stream hands it to the publisher when it is written. */
export function outboxItem(tenantId: string, integrationId: string, event: ChangeEvent, now: number) {
  return {
    pk: ITEM_KEYS.tenant(tenantId),
    sk: ITEM_KEYS.outbox(integrationId, event.detail.sequence),
    detailType: event.detailType,
    detail: event.detail,
    expiresAt: Math.floor(now / 1000) + OUTBOX_TTL_SECONDS,
  };
}

/** Checkpoints hold id lists that can grow large; gzip keeps them far below the 400 KB item limit. */
function pack(checkpoint: Checkpoint): Uint8Array {
  return gzipSync(JSON.stringify(checkpoint));
}

function unpack(data: Uint8Array): Checkpoint {
  return JSON.parse(gunzipSync(data).toString('utf8')) as Checkpoint;
}
