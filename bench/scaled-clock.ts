import type { Clock } from '../lambdas/core/clock';

/**
 * Time that runs `factor` times faster than the machine's: a 40 ms round trip or a 400 ms wait
 * for a token takes a `factor`-th of that. Work done between waits is not sped up, so it counts
 * `factor` times over: the factor must keep it small beside the waits it measures.
 */
export function scaledClock(factor: number): Clock {
  const startedAt = Date.now();
  const realStart = performance.now();
  return {
    now: () => startedAt + (performance.now() - realStart) * factor,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / factor)),
  };
}
