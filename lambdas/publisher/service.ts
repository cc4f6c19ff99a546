import { type ChangeEvent, DETAIL_TYPES } from '../../schemas/events';
import { type Clock, systemClock } from '../core/clock';
import { UpstreamUnavailableError } from '../core/errors';
import type { EventBusPort } from './ports';

/**
 * How the table's stream feeds the publisher (the event source mapping): up to 100 outbox
 * records a batch, gathered for at most a second, so a busy sync fills its PutEvents calls.
 */
export const OUTBOX_BATCHING = { batchSize: 100, windowSeconds: 1 } as const;

/** PutEvents takes at most 10 entries a call. */
export const MAX_ENTRIES_PER_CALL = 10;
const ATTEMPTS = 6;
const BASE_DELAY_MS = 100;

export interface PublisherDeps {
  readonly bus: EventBusPort;
  /** The events' `source`. @default aws-org-connections */
  readonly source: string;
  readonly clock?: Clock;
  readonly random?: () => number;
}

/**
 * Publishes outbox events in sequence order, ten to a call, and retries only the entries that
 * failed, with full-jitter backoff. Throws if some still fail: the stream then redelivers the
 * batch, and consumers drop the repeats by `eventId`.
 */
export function makePublisher({ bus, source, clock = systemClock, random = Math.random }: PublisherDeps) {
  return async function publish(events: readonly ChangeEvent[]): Promise<{ calls: number }> {
    const ordered = [...events].sort((a, b) => a.detail.sequence - b.detail.sequence);
    let calls = 0;
    for (let start = 0; start < ordered.length; start += MAX_ENTRIES_PER_CALL) {
      let pending = ordered.slice(start, start + MAX_ENTRIES_PER_CALL).map((event) => ({
        source,
        detailType: event.detailType,
        detail: JSON.stringify(event.detail),
      }));
      for (let attempt = 1; pending.length > 0; attempt += 1) {
        if (attempt > ATTEMPTS) throw new UpstreamUnavailableError('Amazon EventBridge');
        if (attempt > 1) await clock.sleep(random() * BASE_DELAY_MS * 2 ** (attempt - 1));
        const failed = new Set(await bus.put(pending));
        calls += 1;
        pending = pending.filter((_, index) => failed.has(index));
      }
    }
    return { calls };
  };
}

export function isDetailType(value: unknown): value is ChangeEvent['detailType'] {
  return (DETAIL_TYPES as readonly unknown[]).includes(value);
}
