import { randomUUID } from 'node:crypto';
import type { EventBusPort, BusEntry as PutEventsEntry } from '../lambdas/publisher/ports';

/** An event as EventBridge delivers it to a rule's target. */
export interface BusEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

export interface BusEntry {
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
  readonly resources?: readonly string[];
}

/**
 * The local stand-in for the connections bus: it keeps every published event, oldest first,
 * so `GET /local/events` and tests can read exactly what consumers would receive.
 */
export class LocalEventBus implements EventBusPort {
  private readonly events: BusEvent[] = [];

  constructor(
    private readonly account: string,
    private readonly region: string,
  ) {}

  publish(entries: readonly BusEntry[]): void {
    for (const entry of entries) {
      this.events.push({
        version: '0',
        id: randomUUID(),
        'detail-type': entry.detailType,
        source: entry.source,
        account: this.account,
        time: new Date().toISOString(),
        region: this.region,
        resources: entry.resources ?? [],
        detail: entry.detail,
      });
    }
  }

  /** PutEvents, as the publisher calls it: every entry is accepted. */
  async put(entries: readonly PutEventsEntry[]): Promise<readonly number[]> {
    this.publish(
      entries.map((entry) => ({
        source: entry.source,
        detailType: entry.detailType,
        detail: JSON.parse(entry.detail) as unknown,
      })),
    );
    return [];
  }

  /** The events published so far, skipping the first `since`. */
  list(since = 0): readonly BusEvent[] {
    return this.events.slice(since);
  }
}
