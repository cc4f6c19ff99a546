import { gunzipSync, gzipSync } from 'node:zlib';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SyncRun } from '../../../schemas/sync';
import { ITEM_KEYS } from '../../../schemas/table';
import type { PageRequest } from '../../domain/page';
import {
  type Checkpoint,
  type FollowUp,
  FollowUpChangedError,
  LeaseLostError,
  type RunOutcome,
  type RunRef,
  type SyncTarget,
} from '../../domain/sync-runs';
import type { RunLeases, RunRecords } from '../../ports/sync-state';
import { queryPage } from './query-page';
import { absent, and, type Condition, exists, type UpdateSpec } from './table/expressions';
import { integrationClaims, integrationItem, runItem } from './table/items';
import { readIntegration, writePublishing } from './table/publishing';
import { Transaction, TransactionCancelledError, updateIf } from './table/transaction';

type IntegrationRef = { readonly tenantId: string; readonly integrationId: string };

/**
 * Sync runs in the table: the lease, status and follow-up on the integration item, and one item
 * per run (with its checkpoint while it runs). Every write of a run is fenced by its lease.
 */
export class DynamoDbRuns implements RunLeases, RunRecords {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: () => number = Date.now,
  ) {}

  async target(tenantId: string, integrationId: string): Promise<SyncTarget | undefined> {
    const record = await readIntegration(this.db, this.tableName, { tenantId, integrationId });
    if (!record) return undefined;
    const { integration, sync, followUp } = record;
    return {
      tenantId,
      integration,
      status: integration.status,
      activeRunId: sync.activeRunId ?? null,
      leaseExpiresAt: sync.leaseExpiresAt ?? null,
      followUp,
      lastRunId: sync.lastRunId ?? null,
      lastError: sync.lastError ?? null,
      counts: {
        folders: sync.folderCount ?? 0,
        connections: sync.connectionCount ?? 0,
        held: sync.heldCount ?? 0,
      },
      deleting: sync.deletingSince !== undefined,
      memberAccess: sync.memberAccess ?? null,
      mirrored: sync.mirroredAt !== undefined,
      memberCheck:
        sync.memberCheckId === undefined || sync.memberCheckUntil === undefined
          ? null
          : { id: sync.memberCheckId, until: sync.memberCheckUntil },
      eventSequence: sync.eventSequence ?? 0,
      tagsReadAt: sync.tagsReadAt ?? null,
    };
  }

  takeLease(target: IntegrationRef, run: SyncRun, lease: { now: number; leaseExpiresAt: number }) {
    return this.leaseTo(target, run, lease, {
      condition: and(integrationItem.notDeleting, integrationItem.leaseFree(lease.now)),
    });
  }

  takeDeletionLease(target: IntegrationRef, run: SyncRun, lease: { now: number; leaseExpiresAt: number }) {
    return this.leaseTo(target, run, lease, {
      // A sync's lease is taken over; a live deletion run's is not.
      condition: integrationItem.deletionMayStart(lease.now),
      update: {
        set: { status: 'deleting' },
        setIfAbsent: { deletingSince: lease.now },
        remove: integrationItem.indexAttributes,
      },
    });
  }

  async setFollowUp(
    target: IntegrationRef,
    change: { seen: FollowUp | null; next: FollowUp; now: number },
  ): Promise<string | null> {
    const updated = await updateIf(
      this.db,
      this.tableName,
      integrationItem.key(target.tenantId, target.integrationId),
      { set: { followUp: integrationItem.followUpValue(change.next) } },
      and(
        integrationItem.notDeleting,
        integrationItem.leaseLive(change.now),
        integrationItem.followUpIs(change.seen),
      ),
    );
    return updated === null ? null : String(updated.activeRunId);
  }

  async finish(ref: RunRef, outcome: RunOutcome): Promise<void> {
    const { nextRun } = outcome;
    const set: Record<string, unknown> = {
      status: outcome.status,
      lastError: outcome.lastError,
      folderCount: outcome.counts.folders,
      connectionCount: outcome.counts.connections,
      heldCount: outcome.counts.held,
      lastRunId: ref.runId,
    };
    const complete = outcome.status === 'connected' || outcome.status === 'needs_review';
    // The follow-up run inherits the lease in the same write: no one can slip in between.
    if (nextRun) Object.assign(set, { activeRunId: nextRun.id, leaseExpiresAt: outcome.leaseExpiresAt });
    if (outcome.tagsReadAt !== undefined) set.tagsReadAt = outcome.tagsReadAt;
    const now = this.clock();
    await writePublishing(this.db, this.tableName, {
      ...ref,
      lastSequence: outcome.lastSequence,
      events: outcome.events,
      integration: {
        condition: and(
          integrationItem.holdsLease(ref.runId),
          integrationItem.followUpIs(outcome.followUpSeen),
        ),
        update: {
          set,
          ...(complete ? { setIfAbsent: { mirroredAt: now } } : {}),
          remove: nextRun ? ['followUp'] : ['activeRunId', 'leaseExpiresAt', 'followUp'],
        },
      },
      rest: (transaction) => {
        transaction.put('run', runItem.finished(ref.tenantId, outcome.run, now));
        if (nextRun) transaction.put('next run', runItem.item(ref.tenantId, nextRun), absent);
      },
      refused: (_, current) =>
        current?.sync.activeRunId === ref.runId
          ? new FollowUpChangedError('A follow-up was asked for while the run ended')
          : new LeaseLostError(ref.runId),
      now,
    });
  }

  async removeIntegration(ref: RunRef, final: Parameters<RunLeases['removeIntegration']>[1]): Promise<void> {
    const now = this.clock();
    const ownClaim = integrationClaims.ownOrAbsent(ref.integrationId);
    await writePublishing(this.db, this.tableName, {
      ...ref,
      lastSequence: final.lastSequence,
      events: (first) => [final.event(first)],
      integration: { condition: integrationItem.holdsLease(ref.runId), remove: true },
      rest: (transaction) =>
        transaction
          .delete(
            'handle claim',
            integrationClaims.handleKey(ref.tenantId, final.integration.handle),
            ownClaim,
          )
          .delete('role claim', integrationClaims.roleKey(ref.tenantId, final.roleIdentity), ownClaim)
          .put('run', runItem.finished(ref.tenantId, final.run, now)),
      refused: () => new LeaseLostError(ref.runId),
      now,
    });
  }

  async run(ref: Omit<RunRef, 'correlationId'>) {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: runItem.key(ref.tenantId, ref.integrationId, ref.runId),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const checkpoint = Item.checkpoint instanceof Uint8Array ? unpack(Item.checkpoint) : null;
    return { run: runItem.parse(Item), checkpoint };
  }

  async saveProgress(ref: RunRef, update: Parameters<RunRecords['saveProgress']>[1]): Promise<void> {
    const transaction = new Transaction(this.tableName)
      .update(
        'integration',
        integrationItem.key(ref.tenantId, ref.integrationId),
        { set: { leaseExpiresAt: update.leaseExpiresAt } },
        integrationItem.holdsLease(ref.runId),
      )
      .update('run', runItem.key(ref.tenantId, ref.integrationId, ref.runId), {
        set: { progress: update.progress, counts: update.counts, checkpoint: pack(update.checkpoint) },
      });
    try {
      await transaction.send(this.db);
    } catch (error: unknown) {
      if (error instanceof TransactionCancelledError) throw new LeaseLostError(ref.runId);
      throw error;
    }
  }

  async listRuns(tenantId: string, integrationId: string, page: PageRequest) {
    const result = await queryPage(this.db, this.tableName, {
      tenantId,
      prefix: ITEM_KEYS.runPrefix(integrationId),
      ...page,
      forward: false,
    });
    return { ...result, items: result.items.map((item) => runItem.parse(item)) };
  }

  /**
   * Gives `run` the integration's lease and writes the run's item, in one transaction, if
   * `condition` holds. False when it does not (or the integration is gone).
   */
  private async leaseTo(
    target: IntegrationRef,
    run: SyncRun,
    lease: { leaseExpiresAt: number },
    change: { condition: Condition; update?: UpdateSpec },
  ): Promise<boolean> {
    const { update = {} } = change;
    const transaction = new Transaction(this.tableName)
      .update(
        'integration',
        integrationItem.key(target.tenantId, target.integrationId),
        {
          ...update,
          set: { ...update.set, activeRunId: run.id, leaseExpiresAt: lease.leaseExpiresAt },
          remove: ['followUp', ...(update.remove ?? [])],
        },
        and(exists, change.condition),
      )
      .put('run', runItem.item(target.tenantId, run), absent);
    try {
      await transaction.send(this.db);
      return true;
    } catch (error: unknown) {
      if (error instanceof TransactionCancelledError) return false;
      throw error;
    }
  }
}

/** Checkpoints hold id lists that can grow large; gzip keeps them far below the 400 KB item limit. */
function pack(checkpoint: Checkpoint): Uint8Array {
  return gzipSync(JSON.stringify(checkpoint));
}

function unpack(data: Uint8Array): Checkpoint {
  return JSON.parse(gunzipSync(data).toString('utf8')) as Checkpoint;
}
