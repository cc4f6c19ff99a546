import { DEFAULT_LOCAL_CONFIG } from '../../local/config';
import type { LocalRuntime } from '../../local/runtime';
import type { Integration } from '../../schemas/api/integrations';
import { errorCode, localApi } from '../fixtures/local-api';
import { tableSnapshot } from '../fixtures/table-snapshot';
import { startTestRuntime } from '../fixtures/test-runtime';

jest.setTimeout(60_000);

let runtime: LocalRuntime;
const api = localApi(() => runtime);
const tenant = { tenantId: 'fair-use' };
/** Another tenant's budget is its own. */
const neighbour = { tenantId: 'fair-neighbour' };
let integration: Integration;
let roleArn: string;

beforeAll(async () => {
  // Three role tests a minute (one at once), one sync a minute, one integration.
  runtime = await startTestRuntime({
    fairUse: {
      ...DEFAULT_LOCAL_CONFIG.fairUse,
      roleTestsPerMinute: 3,
      syncsPerMinute: 1,
      maxIntegrations: 1,
    },
  });
  integration = await api.createOrganizationIntegration(tenant, { handle: 'budgeted' });
  roleArn = integration.roleArn;
  await runtime.settled();
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

describe('fair use', () => {
  it('answers role tests over the tenant budget 429 RATE_LIMITED with Retry-After, and the next tenant is not held', async () => {
    const test = (caller: { tenantId: string }) =>
      api.call(caller, 'POST', '/v1/aws/test-connection', { kind: 'organization', roleArn });

    // The create spent the tenant's one token: the next role test waits.
    const refused = await test(tenant);
    const other = await test(neighbour);

    expect(refused.status).toBe(429);
    expect(errorCode(refused.body)).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The neighbour's answer is the role test's own (the role trusts another External ID).
    expect(other.status).toBe(422);
  });

  it('lets one sync a minute through, and refuses the next with nothing started', async () => {
    const first = await api.call(tenant, 'POST', `/v1/integrations/${integration.id}/sync`);
    await runtime.settled();
    const before = await tableSnapshot(runtime);
    const second = await api.call(tenant, 'POST', `/v1/integrations/${integration.id}/sync`);

    expect(first.status).toBe(202);
    expect(second.status).toBe(429);
    expect(errorCode(second.body)).toBe('RATE_LIMITED');
    expect(await tableSnapshot(runtime)).toBe(before);
  });

  it('refuses an integration past the tenant limit with LIMIT_EXCEEDED, before any role test', async () => {
    const before = await tableSnapshot(runtime);

    const answer = await api.call(tenant, 'POST', '/v1/integrations', {
      kind: 'organization',
      roleArn,
      handle: 'one_too_many',
      scope: { level: 'tenant' },
      regions: ['us-east-1'],
    });

    expect(answer.status).toBe(409);
    expect(errorCode(answer.body)).toBe('LIMIT_EXCEEDED');
    expect(await tableSnapshot(runtime)).toBe(before);
  });
});
