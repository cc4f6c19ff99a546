import { SESSION_REFRESH_MARGIN_MS, SessionCache } from '../../../lambdas/core/session-cache';

interface Session {
  readonly id: number;
  readonly expiresAt: number | undefined;
}

function cacheAt(clock: { now: number }) {
  return new SessionCache<Session>({ expiresAt: (session) => session.expiresAt, clock: () => clock.now });
}

describe('role session cache', () => {
  const role = 'arn:aws:iam::111122223333:role/Discovery';

  it('hands out a session until the refresh margin before it expires, then renews it', async () => {
    const clock = { now: 0 };
    const cache = cacheAt(clock);
    let issued = 0;
    const assume = async (): Promise<Session> => ({ id: ++issued, expiresAt: clock.now + 3_600_000 });

    const first = await cache.getOrCreate(role, assume);
    clock.now = 3_600_000 - SESSION_REFRESH_MARGIN_MS - 1;
    const stillCached = await cache.getOrCreate(role, assume);
    clock.now += 1;
    const renewed = await cache.getOrCreate(role, assume);

    expect(first).toEqual({ session: { id: 1, expiresAt: 3_600_000 }, cached: false });
    expect(stillCached).toMatchObject({ session: { id: 1 }, cached: true });
    expect(renewed).toMatchObject({ session: { id: 2 }, cached: false });
  });

  it('shares one AssumeRole among concurrent misses, and forgets a session on demand', async () => {
    const cache = cacheAt({ now: 0 });
    let issued = 0;
    const assume = async (): Promise<Session> => ({ id: ++issued, expiresAt: undefined });

    const together = await Promise.all([cache.getOrCreate(role, assume), cache.getOrCreate(role, assume)]);
    cache.forget(role);
    const after = await cache.getOrCreate(role, assume);

    expect(together.map(({ session }) => session.id)).toEqual([1, 1]);
    expect(after.session.id).toBe(2);
  });

  it('does not remember a session whose AssumeRole failed', async () => {
    const cache = cacheAt({ now: 0 });

    await expect(cache.getOrCreate(role, () => Promise.reject(new Error('refused')))).rejects.toThrow(
      'refused',
    );
    const next = await cache.getOrCreate(role, async () => ({ id: 7, expiresAt: undefined }));

    expect(next).toEqual({ session: { id: 7, expiresAt: undefined }, cached: false });
    expect(cache.size).toBe(1);
  });
});
