import type { Scheduler } from '../lambdas/schedule/service';

export interface ScheduleTicker {
  /** Resolves when no tick is running. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The deployed rule ticks every minute, a small part of an interval of hours. A short local
 * interval (`--schedule 1m`) ticks 12 times an interval, but never less often than a minute.
 */
export function localTickMs(intervalMs: number): number {
  return Math.min(60_000, Math.max(1000, Math.floor(intervalMs / 12)));
}

/** Runs the schedule's fan-out on a timer, as the schedule rule runs its function. */
export function startScheduleTicker(scheduler: Scheduler, intervalMs: number): ScheduleTicker {
  const tickMs = localTickMs(intervalMs);
  let current: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (current) return;
    current = scheduler
      .tick(Date.now() + tickMs, crypto.randomUUID())
      .then(({ started, coalesced, failed }) => {
        if (started + coalesced + failed > 0) {
          console.log(
            `schedule: started ${started}, folded into running syncs ${coalesced}, failed ${failed}`,
          );
        }
      })
      .catch((error: unknown) => console.error('schedule: the tick failed', error))
      .finally(() => {
        current = undefined;
      });
  }, tickMs);
  return {
    async idle() {
      await current;
    },
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}
