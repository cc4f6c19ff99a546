import { DEFAULT_LOCAL_CONFIG, parseFairUse } from '../../local/config';
import type { LocalRuntime } from '../../local/runtime';
import { errorCode, localApi } from '../fixtures/local-api';
import { startTestRuntime } from '../fixtures/test-runtime';

jest.setTimeout(60_000);

let runtime: LocalRuntime;
const api = localApi(() => runtime);
const flooder = { tenantId: 'flooder' };
const neighbour = { tenantId: 'quiet-neighbour' };

beforeAll(async () => {
  // What `npm start -- --fair-use requestsPerSecond=1,requestBurst=4` sets.
  runtime = await startTestRuntime({
    fairUse: parseFairUse('requestsPerSecond=1,requestBurst=4', DEFAULT_LOCAL_CONFIG.fairUse),
  });
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
});

describe("each tenant's requests, on every route", () => {
  it('answers a tenant over its share 429 RATE_LIMITED with Retry-After, and holds no other tenant', async () => {
    const list = (caller: { tenantId: string }) => api.call(caller, 'GET', '/v1/integrations');

    // Sent at once, so that the second of refill cannot fall between them on a busy machine.
    const burst = await Promise.all(Array.from({ length: 5 }, () => list(flooder)));
    const neighbours = await list(neighbour);

    expect(burst.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 200, 429]);
    const refused = burst.find((answer) => answer.status === 429);
    expect(errorCode(refused?.body)).toBe('RATE_LIMITED');
    expect(refused?.headers.get('retry-after')).toBe('1');
    expect(refused?.headers.get('x-amzn-requestid')).toEqual(expect.any(String));
    expect(neighbours.status).toBe(200);
  });

  it('does not count the public API description, which names no tenant', async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => fetch(`${runtime.url}/v1/openapi.json`)),
    );

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
  });
});
