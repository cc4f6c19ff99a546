import type { Clock } from '../../../lambdas/core/clock';
import type { Page, PageRequest } from '../../../lambdas/domain/page';
import { nextDueTime, schedulePhase } from '../../../lambdas/domain/schedule';
import type { SyncRequest } from '../../../lambdas/ports/syncs';
import type { DueIntegration, ScheduleStore } from '../../../lambdas/schedule/ports';
import { makeScheduler, type ScheduleSettings } from '../../../lambdas/schedule/service';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const INTERVAL = 6 * HOUR;
const T0 = Date.parse('2026-11-23T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
/** The Lambda request id of the tick's invocation. */
const TICK_ID = '8d2e4f61-0b3a-4c7d-9e15-6a7f2c3b1d90';

/** The `by-schedule` index's semantics: due items earliest first, a cursor past the last key read. */
class MemorySchedule implements ScheduleStore {
  readonly dueAt = new Map<string, string>();

  add(integrationId: string, dueAt: number): void {
    this.dueAt.set(integrationId, iso(dueAt));
  }

  async due(now: string, page: PageRequest): Promise<Page<DueIntegration>> {
    const after = page.cursor === undefined ? null : (JSON.parse(page.cursor) as [string, string]);
    const keyOf = (item: DueIntegration) => `${item.dueAt}|${item.integrationId}`;
    const items = [...this.dueAt]
      .map(([integrationId, dueAt]) => ({ tenantId: 't1', integrationId, dueAt }))
      .filter((item) => item.dueAt <= now && (after === null || keyOf(item) > after.join('|')))
      .sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
    const taken = items.slice(0, page.limit);
    const last = taken.at(-1);
    return {
      items: taken,
      nextCursor: items.length > page.limit && last ? JSON.stringify([last.dueAt, last.integrationId]) : null,
    };
  }

  async reschedule(from: DueIntegration, to: string): Promise<boolean> {
    if (this.dueAt.get(from.integrationId) !== from.dueAt) return false;
    this.dueAt.set(from.integrationId, to);
    return true;
  }
}

function world(settings: Partial<ScheduleSettings> = {}) {
  const clock: Clock & { at: number } = {
    at: T0,
    now: () => clock.at,
    sleep: async () => undefined,
  };
  const store = new MemorySchedule();
  const requests: (SyncRequest & { at: number })[] = [];
  const syncing = new Set<string>();
  const failing = new Set<string>();
  const workflow = { runningNow: 0, running: async (limit: number) => Math.min(workflow.runningNow, limit) };
  const hooks: { onRequest: () => void } = { onRequest: () => undefined };
  const scheduler = makeScheduler({
    store,
    workflow,
    clock,
    settings: { intervalMs: INTERVAL, maxConcurrentSyncs: 100, ...settings },
    syncs: {
      requestSync: async (request) => {
        hooks.onRequest();
        if (failing.has(request.integrationId)) throw new Error('StartExecution failed');
        requests.push({ ...request, at: clock.now() });
        return { runId: `run-${requests.length}`, coalesced: syncing.has(request.integrationId) };
      },
    },
  });
  const tick = () => scheduler.tick(clock.now() + 50_000, TICK_ID);
  return { clock, store, requests, syncing, failing, workflow, hooks, tick };
}

describe('schedule phases', () => {
  it('puts each integration at its own phase, so its scheduled runs are exactly one interval apart', () => {
    const first = nextDueTime('int-a', T0, INTERVAL);
    const second = nextDueTime('int-a', first, INTERVAL);

    expect(first).toBeGreaterThan(T0);
    expect(first).toBeLessThanOrEqual(T0 + INTERVAL);
    expect(second - first).toBe(INTERVAL);
    expect(nextDueTime('int-a', first - 1, INTERVAL)).toBe(first);
    expect((first - schedulePhase('int-a', INTERVAL)) % INTERVAL).toBe(0);
  });

  it('spreads 10,000 integrations created at the same moment evenly over the interval', () => {
    const buckets = new Array<number>(72).fill(0);
    for (let i = 0; i < 10_000; i += 1) {
      const due = nextDueTime(`int-${i}`, T0, INTERVAL);
      const bucket = Math.floor((due - T0 - 1) / (5 * MINUTE));
      buckets[bucket] = (buckets[bucket] ?? 0) + 1;
    }
    const mean = 10_000 / 72;

    expect(Math.min(...buckets)).toBeGreaterThan(mean * 0.65);
    expect(Math.max(...buckets)).toBeLessThan(mean * 1.35);
  });
});

describe('the schedule fan-out', () => {
  it('starts each due integration once, as a full sync named by the tick, and moves it to its next phase', async () => {
    const { clock, store, requests, tick } = world();
    for (let i = 0; i < 5; i += 1) store.add(`due-${i}`, T0 - i * MINUTE);
    store.add('later', T0 + MINUTE);
    clock.at = T0 + 1000;

    const summary = await tick();

    expect(requests.map((request) => request.integrationId).sort()).toEqual([
      'due-0',
      'due-1',
      'due-2',
      'due-3',
      'due-4',
    ]);
    expect(requests.every((r) => r.trigger === 'schedule' && !r.confirmDeletions && !r.targets)).toBe(true);
    expect(new Set(requests.map((request) => request.correlationId))).toEqual(new Set([TICK_ID]));
    expect(summary).toEqual({ running: 0, started: 5, coalesced: 0, skipped: 0, failed: 0, behind: false });
    for (let i = 0; i < 5; i += 1) {
      expect(store.dueAt.get(`due-${i}`)).toBe(iso(nextDueTime(`due-${i}`, clock.at, INTERVAL)));
    }
    expect(store.dueAt.get('later')).toBe(iso(T0 + MINUTE));
    expect((await tick()).started).toBe(0);
  });

  it('starts no more syncs than the cap lets run, earliest due first, and leaves the rest for the next tick', async () => {
    const { store, requests, workflow, tick } = world({ maxConcurrentSyncs: 10 });
    for (let i = 0; i < 5; i += 1) store.add(`due-${i}`, T0 - (10 - i) * MINUTE);
    workflow.runningNow = 8;

    const first = await tick();

    expect(first).toMatchObject({ running: 8, started: 2, behind: true });
    expect(requests.map((request) => request.integrationId)).toEqual(['due-0', 'due-1']);

    workflow.runningNow = 10;
    expect(await tick()).toMatchObject({ started: 0, behind: true });

    workflow.runningNow = 0;
    expect(await tick()).toMatchObject({ started: 3, behind: false });
    expect(requests).toHaveLength(5);
  });

  it('pages through the due integrations when there are more than a page', async () => {
    const { store, requests, tick } = world({ maxConcurrentSyncs: 1000 });
    for (let i = 0; i < 250; i += 1) store.add(`due-${i}`, T0 - i);

    expect(await tick()).toMatchObject({ started: 250, behind: false });
    expect(new Set(requests.map((request) => request.integrationId)).size).toBe(250);
  });

  it('never starts an integration twice when ticks overlap', async () => {
    const { store, requests, tick } = world();
    for (let i = 0; i < 60; i += 1) store.add(`due-${i}`, T0 - i);

    const [a, b] = await Promise.all([tick(), tick()]);

    expect(new Set(requests.map((request) => request.integrationId)).size).toBe(60);
    expect(requests).toHaveLength(60);
    expect(a.started + b.started).toBe(60);
    expect(a.skipped + b.skipped).toBe(60);
  });

  it('retries a sync that did not start a few minutes later, without holding up the others', async () => {
    const { clock, store, requests, failing, tick } = world();
    store.add('broken', T0 - HOUR);
    store.add('fine', T0 - MINUTE);
    failing.add('broken');

    expect(await tick()).toMatchObject({ started: 1, failed: 1 });
    expect(store.dueAt.get('broken')).toBe(iso(T0 + 5 * MINUTE));

    clock.at = T0 + 4 * MINUTE;
    expect((await tick()).failed).toBe(0);
    failing.clear();
    clock.at = T0 + 5 * MINUTE;
    expect(await tick()).toMatchObject({ started: 1 });
    expect(requests.map((request) => request.integrationId)).toEqual(['fine', 'broken']);
  });

  it('folds a due integration whose sync is running into that run', async () => {
    const { store, syncing, tick } = world();
    store.add('busy', T0 - MINUTE);
    syncing.add('busy');

    expect(await tick()).toMatchObject({ started: 0, coalesced: 1 });
  });

  it('stops starting syncs at its deadline and says it is behind', async () => {
    const { clock, store, requests, hooks, tick } = world({ maxConcurrentSyncs: 1000 });
    for (let i = 0; i < 150; i += 1) store.add(`due-${i}`, T0 - i);
    hooks.onRequest = () => {
      clock.at += 1000;
    };

    expect(await tick()).toMatchObject({ started: 100, behind: true });
    expect(requests).toHaveLength(100);
  });

  it('re-syncs 10,000 integrations once per interval, at most twice the mean in any one-minute tick', async () => {
    const { clock, store, requests, tick } = world();
    const count = 10_000;
    for (let i = 0; i < count; i += 1) store.add(`int-${i}`, nextDueTime(`int-${i}`, T0, INTERVAL));
    const perTick: number[] = [];

    for (clock.at = T0 + MINUTE; clock.at <= T0 + 2 * INTERVAL; clock.at += MINUTE) {
      const before = requests.length;
      const summary = await tick();
      expect(summary.behind).toBe(false);
      perTick.push(requests.length - before);
    }
    const startsOf = new Map<string, number[]>();
    for (const request of requests) {
      startsOf.set(request.integrationId, [...(startsOf.get(request.integrationId) ?? []), request.at]);
    }

    expect(startsOf.size).toBe(count);
    for (const [, starts] of startsOf) {
      expect(starts).toHaveLength(2);
      expect((starts[1] ?? 0) - (starts[0] ?? 0)).toBe(INTERVAL);
      expect((starts[0] ?? 0) - T0).toBeLessThanOrEqual(INTERVAL + MINUTE);
    }
    expect(Math.max(...perTick)).toBeLessThanOrEqual((2 * count * MINUTE) / INTERVAL);
  });
});
