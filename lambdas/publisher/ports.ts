import type { ChangeEvent } from '../../schemas/events';

/** One entry of PutEvents. */
export interface BusEntry {
  readonly source: string;
  readonly detailType: string;
  readonly detail: string;
}

/** The connections bus. `put` takes at most 10 entries and returns the indexes that failed. */
export interface EventBusPort {
  put(entries: readonly BusEntry[]): Promise<readonly number[]>;
}

/** The stored outbox, read back. */
export interface OutboxReader {
  /** An integration's events from `from` to `to` (sequence numbers, both included), in order. */
  pages(
    tenantId: string,
    integrationId: string,
    range: { readonly from: number; readonly to: number },
  ): AsyncIterable<readonly ChangeEvent[]>;
}
