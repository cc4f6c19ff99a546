import { type DynamoDBDocumentClient, GetCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { MirrorNode } from '../../../schemas/sync';
import { ITEM_KEYS } from '../../../schemas/table';
import type { AuditRecord } from '../../domain/audit';
import type { PageRequest } from '../../domain/page';
import {
  type Announce,
  type Change,
  IntegrationDeletingError,
  LeaseLostError,
  MirrorConflictError,
  NodeHandleTakenError,
  type RunRef,
} from '../../domain/sync-runs';
import type { MirrorStore } from '../../ports/sync-state';
import { queryPage } from './query-page';
import { absent, type Condition, type UpdateSpec, versionIs } from './table/expressions';
import { integrationItem, mirrorItem, nodeHandleClaim } from './table/items';
import { writePublishing } from './table/publishing';
import type { Transaction } from './table/transaction';

type IntegrationRef = { readonly tenantId: string; readonly integrationId: string };

/**
 * The mirror in the table: one item per folder and connection, and one claim per handle inside
 * the tenant. Each change is written with its event and its handle claims, or not at all.
 */
export class DynamoDbMirror implements MirrorStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: () => number = Date.now,
  ) {}

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
    for await (const page of pages) for (const item of page.Items ?? []) nodes.push(mirrorItem.parse(item));
    return nodes;
  }

  async apply(
    ref: RunRef,
    changes: readonly Change[],
    numbering: { readonly lastSequence: number; readonly announce: Announce },
  ): Promise<number> {
    if (changes.length === 0) return numbering.lastSequence;
    // A run that lost its lease (to a deletion, or to a run that took over) writes nothing.
    return this.write(ref, changes, {
      lastSequence: numbering.lastSequence,
      announce: numbering.announce,
      guard: integrationItem.holdsLease(ref.runId),
      refused: () => new LeaseLostError(ref.runId),
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
        Key: mirrorItem.key(tenantId, integrationId, { type, id }),
        ConsistentRead: true,
      }),
    );
    return Item ? mirrorItem.parse(Item) : undefined;
  }

  /** Between runs, whose end counts afresh, an edit that holds or releases a connection moves the count. */
  async edit(target: IntegrationRef, change: Change, announce: Announce, audit?: AuditRecord): Promise<void> {
    const held = heldDelta(change);
    await this.write(target, [change], {
      announce,
      audit,
      guard: integrationItem.notDeleting,
      refused: () => new IntegrationDeletingError(),
      ...(held === 0 ? {} : { update: { add: { heldCount: held } } }),
    });
  }

  async page(tenantId: string, integrationId: string, page: PageRequest) {
    const result = await queryPage(this.db, this.tableName, {
      tenantId,
      prefix: ITEM_KEYS.mirrorPrefix(integrationId),
      ...page,
    });
    return { ...result, items: result.items.map((item) => mirrorItem.parse(item)) };
  }

  /**
   * Writes changes with their handle claims and events in one transaction, behind `guard`, a
   * condition on the integration's item; `refused` names its failure.
   */
  private write(
    target: IntegrationRef,
    changes: readonly Change[],
    options: {
      readonly lastSequence?: number;
      readonly announce: Announce;
      readonly guard: Condition;
      readonly refused: () => Error;
      /** What else the write changes on the integration item. */
      readonly update?: UpdateSpec;
      readonly audit?: AuditRecord;
    },
  ): Promise<number> {
    return writePublishing(this.db, this.tableName, {
      ...target,
      lastSequence: options.lastSequence,
      events: (first) => changes.map((change, offset) => options.announce(change, first + offset)),
      integration: { condition: options.guard, ...(options.update ? { update: options.update } : {}) },
      rest: (transaction) => {
        for (const change of changes) this.addChange(transaction, target, change);
      },
      ...(options.audit ? { audit: options.audit } : {}),
      refused: (cancelled, current) => {
        if (current !== null) return options.refused();
        const taken = [...cancelled.refused].find((label) => label.startsWith(CLAIM));
        return taken ? new NodeHandleTakenError(taken.slice(CLAIM.length)) : new MirrorConflictError();
      },
      now: this.clock(),
    });
  }

  private addChange(transaction: Transaction, { tenantId, integrationId }: IntegrationRef, change: Change) {
    const node = change.kind === 'update' ? change.after : change.node;
    const label = `${node.type} ${node.id}`;
    const claim = (claimed: MirrorNode) =>
      transaction.put(
        `${CLAIM}${claimed.handle}`,
        nodeHandleClaim.item(tenantId, integrationId, claimed),
        absent,
      );
    const release = (handle: string) =>
      transaction.delete(
        `release ${handle}`,
        nodeHandleClaim.key(tenantId, handle),
        nodeHandleClaim.claimedBy(integrationId),
      );
    if (change.kind === 'create') {
      transaction.put(label, mirrorItem.item(tenantId, integrationId, node), absent);
      claim(node);
    } else if (change.kind === 'update') {
      transaction.put(
        label,
        mirrorItem.item(tenantId, integrationId, node),
        versionIs(change.before.version),
      );
      if (change.before.handle !== node.handle) {
        claim(node);
        release(change.before.handle);
      }
    } else {
      transaction.delete(label, mirrorItem.key(tenantId, integrationId, node), versionIs(node.version));
      release(node.handle);
    }
  }
}

/** How a change moves the number of held connections. */
function heldDelta(change: Change): number {
  const heldOf = (node: MirrorNode | null) => (node?.type === 'connection' && node.held ? 1 : 0);
  if (change.kind === 'create') return heldOf(change.node);
  if (change.kind === 'delete') return -heldOf(change.node);
  return heldOf(change.after) - heldOf(change.before);
}

/** The label of a handle claim, followed by the handle. */
const CLAIM = 'claim ';
