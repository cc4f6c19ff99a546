import type { BusEntry, EventBusPort } from '../lambdas/publisher/ports';

/** The connections bus, as a benchmark sees it: every PutEvents call and entry, none failing. */
export class CountingBus implements EventBusPort {
  private calls = 0;
  private entries: BusEntry[] = [];

  async put(entries: readonly BusEntry[]): Promise<readonly number[]> {
    this.calls += 1;
    this.entries.push(...entries);
    return [];
  }

  /** What was published since the last call, and starts again from nothing. */
  take(): { calls: number; entries: BusEntry[] } {
    const taken = { calls: this.calls, entries: this.entries };
    this.calls = 0;
    this.entries = [];
    return taken;
  }
}
