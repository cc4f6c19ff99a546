import type { RunCounts } from '../../schemas/sync';
import { changeEventOf, type EventContext } from '../domain/change-events';
import { type Change, NodeHandleTakenError, type RunRef } from '../domain/sync-runs';
import type { MirrorStore } from '../ports/sync-state';
import type { MirrorIndex } from './mirror-index';

/**
 * The most changes written in one transaction: each is up to four items (the node, a handle
 * claim taken and one released, its event), beside the integration's item (the lease check
 * and the event sequence), of 100 allowed.
 */
export const CHANGES_PER_WRITE = 24;

/** Plans changes against the index; `taken` holds handles another integration turned out to hold. */
export type ChangePlan = (taken: ReadonlySet<string>) => Change[];

/** Writes what a plan says, one write at a time (plans read the index earlier writes changed). */
export type ChangeWriter = (plan: ChangePlan) => Promise<void>;

export type MutableCounts = { -readonly [K in keyof RunCounts]: RunCounts[K] };

/**
 * Writes a run's changes in transactions, each with its event, and keeps the index and counts
 * in step. Each transaction also numbers its events, counting on from `sequence.last` (shared
 * by the writers of one step). When another integration holds a handle the plan chose, the plan
 * is made again without it.
 */
export function mirrorWriter(
  mirror: Pick<MirrorStore, 'apply'>,
  run: { readonly ref: RunRef; readonly events: EventContext },
  index: MirrorIndex,
  counts: MutableCounts,
  sequence: { last: number },
): ChangeWriter {
  const takenHandles = new Set<string>();
  const numbering = {
    get lastSequence() {
      return sequence.last;
    },
    announce: (change: Change, number: number) => changeEventOf(change, run.events, number),
  };
  const write = async (plan: ChangePlan) => {
    for (;;) {
      const changes = plan(takenHandles);
      try {
        for (let start = 0; start < changes.length; start += CHANGES_PER_WRITE) {
          const batch = changes.slice(start, start + CHANGES_PER_WRITE);
          sequence.last = await mirror.apply(run.ref, batch, numbering);
          for (const change of batch) {
            index.apply(change);
            counts[change.kind === 'create' ? 'created' : change.kind === 'update' ? 'updated' : 'deleted'] +=
              1;
          }
        }
        return;
      } catch (error: unknown) {
        if (!(error instanceof NodeHandleTakenError)) throw error;
        takenHandles.add(error.handle);
      }
    }
  };
  let queue = Promise.resolve();
  return (plan) => {
    const next = queue.then(() => write(plan));
    queue = next.catch(() => undefined);
    return next;
  };
}
