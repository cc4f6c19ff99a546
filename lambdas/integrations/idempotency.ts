import { createHash } from 'node:crypto';
import type * as z from 'zod';
import { AppError, ValidationError } from '../core/errors';
import type { IdempotencyStore } from './ports';

export class IdempotencyKeyReusedError extends AppError {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was sent before with another request.', {
      hint: 'Send a new key for a new request; the same key replays its first answer only with the same body.',
    });
  }
}

/** Keys as clients make them: a UUID, or up to 128 letters, digits and `-_.:`. */
const KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * Runs `act` once per key: the same caller with the same key and request gets the first answer
 * again, without acting; with another request, 422 `IDEMPOTENCY_KEY_REUSED`. Anyone else who
 * sends the key is answered as the route answers them (`act` runs, and checks what they may do),
 * so a remembered answer, External ID included, never reaches someone who could not have got it.
 * A request that fails is not remembered, so it may be sent again with its key. Without a key,
 * `act` just runs.
 */
export async function onceFor<T>(
  store: IdempotencyStore,
  request: {
    readonly tenantId: string;
    /** The verified caller. */
    readonly subject: string;
    readonly key: string | undefined;
    readonly body: unknown;
    /** What the remembered answer is read back as. */
    readonly answer: z.ZodType<T>;
  },
  act: () => Promise<T>,
): Promise<T> {
  const { tenantId, subject, key } = request;
  if (key === undefined) return act();
  if (!KEY_PATTERN.test(key)) {
    throw new ValidationError('The Idempotency-Key is not valid.', [
      { field: 'headers.idempotency-key', message: 'must be 1 to 128 letters, digits or -_.:' },
    ]);
  }
  const requestHash = hashOf(request.body);
  const found = await store.find(tenantId, key);
  if (found?.subject !== undefined && found.subject === subject) {
    if (found.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
    return request.answer.parse(found.body);
  }
  const answer = await act();
  // Kept only if the key is new: another caller's answer never replaces the first.
  await store.remember(tenantId, key, { requestHash, subject, body: answer });
  return answer;
}

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value, sortedKeys)).digest('hex');
}

/** A JSON replacer that writes every object's keys in order, so key order never matters. */
function sortedKeys(_: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
