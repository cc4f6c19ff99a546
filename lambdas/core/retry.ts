import type { Clock } from './clock';
import { UpstreamThrottledError, UpstreamUnavailableError } from './errors';

export interface RetryPolicy {
  readonly attempts: number;
  readonly baseMs: number;
  readonly capMs: number;
}

/**
 * Runs `call`, retrying throttling and 5xx answers with exponential backoff and full jitter
 * (a random wait between 0 and the capped exponential), and gives up after `attempts`.
 */
export async function withRetries<T>(
  call: () => Promise<T>,
  policy: RetryPolicy,
  clock: Clock,
  random: () => number = Math.random,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error: unknown) {
      const retryable = error instanceof UpstreamThrottledError || error instanceof UpstreamUnavailableError;
      if (!retryable || attempt >= policy.attempts) throw error;
      await clock.sleep(random() * Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1)));
    }
  }
}
