import type { ChangeEvent } from '../../schemas/events';
import { ITEM_KEYS } from '../../schemas/table';
import { logger } from '../core/logger';
import type { OutboxReader } from './ports';

export interface ReplayRequest {
  readonly tenantId: string;
  readonly integrationId: string;
  readonly fromSequence: number;
  /** @default the last one stored */
  readonly toSequence?: number;
}

/**
 * Publishes stored outbox events again, in sequence order, each with its original `eventId`
 * and `sequence`, so consumers that saw one already drop the repeat. For when the stream's
 * publisher gave up on a batch: its dead-letter queue names only the stream's range.
 */
export async function replayEvents(
  deps: {
    readonly outbox: OutboxReader;
    readonly publish: (events: readonly ChangeEvent[]) => Promise<{ calls: number }>;
  },
  request: ReplayRequest,
): Promise<{ readonly events: number; readonly calls: number; readonly last: number | null }> {
  const range = { from: request.fromSequence, to: request.toSequence ?? ITEM_KEYS.lastOutboxSequence };
  let events = 0;
  let calls = 0;
  let last: number | null = null;
  for await (const page of deps.outbox.pages(request.tenantId, request.integrationId, range)) {
    if (page.length === 0) continue;
    calls += (await deps.publish(page)).calls;
    events += page.length;
    last = page.at(-1)?.detail.sequence ?? last;
    logger.info('replayed outbox events', { integrationId: request.integrationId, events, last });
  }
  return { events, calls, last };
}
