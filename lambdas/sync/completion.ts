import type { MirrorNode, SyncRun } from '../../schemas/sync';
import type { Clock } from '../core/clock';
import { buildEvent } from '../domain/change-events';
import { nodeKey } from '../domain/node-key';
import type { Checkpoint, RunRef, StoredRun, SyncTarget } from '../domain/sync-runs';
import type { MirrorStore } from '../ports/sync-state';
import { MirrorIndex } from './mirror-index';
import { mirrorWriter } from './mirror-writer';
import { planSettings } from './reconcile';
import { eventContext, type RunLifecycle } from './run';
import { emptyCheckpoint } from './walk-start';

export interface CompletionDeps {
  readonly mirror: MirrorStore;
  readonly runs: Pick<RunLifecycle, 'finish'>;
  /** A complete run that would delete more than this share of the connections waits for review… */
  readonly deletionShare: number;
  /** …when it would also delete more than this many. */
  readonly deletionMinimum: number;
  readonly clock: Clock;
}

/**
 * After a complete walk: deletes what is gone (unless that is suspiciously much), lets settings
 * flow down the tree as it now stands, then ends the run with its summary.
 */
export function makeCompletion(deps: CompletionDeps) {
  const { mirror, clock } = deps;
  const iso = () => new Date(clock.now()).toISOString();

  return async function complete(ref: RunRef, target: SyncTarget, stored: StoredRun) {
    const checkpoint = stored.checkpoint ?? emptyCheckpoint();
    if (checkpoint.frontier.length > 0) throw new Error(`run ${ref.runId} is not complete`);
    const index = new MirrorIndex(await mirror.load(ref.tenantId, ref.integrationId));
    const counts = { ...stored.run.counts };
    const doomed = deletions(index, checkpoint);
    const doomedConnections = doomed.filter((node) => node.type === 'connection').length;
    const totalConnections = index.all().filter((node) => node.type === 'connection').length;
    const held =
      !stored.run.confirmDeletions &&
      doomedConnections > deps.deletionMinimum &&
      doomedConnections > deps.deletionShare * totalConnections;
    const write = mirrorWriter(mirror, { ref, events: eventContext(target, ref) }, index, counts, {
      last: target.eventSequence,
    });
    if (held) counts.heldDeletions = doomed.length;
    else await write(() => doomed.map((node) => ({ kind: 'delete', node })));
    // Settings flow down the tree as it now stands, and generated handles follow the prefix.
    await write((takenHandles) =>
      planSettings(index, { integration: target.integration, takenHandles, now: iso() }),
    );
    const run: SyncRun = {
      ...stored.run,
      status: held ? 'needs_review' : 'succeeded',
      finishedAt: iso(),
      counts,
    };
    const nodes = index.all();
    const connections = nodes.filter((node) => node.type === 'connection');
    const totals = {
      folders: nodes.length - connections.length,
      connections: connections.length,
      held: connections.filter((connection) => connection.held).length,
    };
    const { next } = await deps.runs.finish(ref, {
      run,
      status: held ? 'needs_review' : 'connected',
      lastError: null,
      counts: totals,
      ...(checkpoint.rereadsTags ? { tagsReadAt: Date.parse(stored.run.startedAt) } : {}),
      summary: (ctx, sequence) =>
        buildEvent('Sync Completed', ctx, sequence, { status: run.status, counts, ...totals }),
    });
    return { next, run };
  };
}

/**
 * What a complete walk found gone: nodes missing from their container and not found elsewhere,
 * nodes whose folder is gone, and what lies below an OU denied on two runs in a row. Children
 * come before their folders.
 */
function deletions(index: MirrorIndex, checkpoint: Checkpoint): MirrorNode[] {
  const doomed = new Map<string, MirrorNode>();
  const add = (node: MirrorNode) => {
    if (node.type === 'folder')
      for (const below of index.descendants(node.id)) doomed.set(nodeKey(below), below);
    doomed.set(nodeKey(node), node);
  };
  for (const key of checkpoint.pendingRemovals) {
    const node = index.get(key);
    if (node) add(node);
  }
  for (const node of index.all()) {
    const parentGone =
      node.parentId !== null && node.parentId !== checkpoint.rootId && !index.folder(node.parentId);
    if (parentGone) add(node);
  }
  for (const folderId of checkpoint.persistentlyDenied) {
    for (const node of index.descendants(folderId)) add(node);
  }
  return [...doomed.values()];
}
