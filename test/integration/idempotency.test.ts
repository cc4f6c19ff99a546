import type { LocalRuntime } from '../../local/runtime';
import type { Integration } from '../../schemas/api/integrations';
import { errorCode, localApi } from '../fixtures/local-api';
import { tableSnapshot } from '../fixtures/table-snapshot';
import { startTestRuntime } from '../fixtures/test-runtime';

jest.setTimeout(60_000);

let runtime: LocalRuntime;
const api = localApi(() => runtime);
const tenant = { tenantId: 'idempotent' };
let roleArn: string;

const create = (body: unknown, key?: string) =>
  api.call(tenant, 'POST', '/v1/integrations', body, key === undefined ? {} : { 'idempotency-key': key });

beforeAll(async () => {
  runtime = await startTestRuntime();
  const management = runtime.sandbox?.managementAccountId ?? '';
  roleArn = await api.deployRole(
    management,
    'OrgConnectionsDiscovery',
    await api.externalIdOf(tenant.tenantId),
  );
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

describe('POST /v1/integrations with an Idempotency-Key', () => {
  const body = () => ({
    kind: 'organization',
    roleArn,
    handle: 'once',
    scope: { level: 'tenant' },
    regions: ['us-east-1'],
    options: { a: 1, b: 2 },
  });

  it('creates once: the same key and body replay the first answer, whatever the key order', async () => {
    const first = await create(body(), 'create-7f3a');
    await runtime.settled();
    const { options, ...rest } = body();
    const again = await create({ options: { b: 2, a: 1 }, ...rest }, 'create-7f3a');

    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('location')).toBe(`/v1/integrations/${(first.body as Integration).id}`);
    const created = runtime.bus.list().filter((event) => event['detail-type'] === 'Integration Created');
    expect(created).toHaveLength(1);
  });

  it('answers 422 to the same key with another body, and writes nothing', async () => {
    const before = await tableSnapshot(runtime);

    const answer = await create({ ...body(), handle: 'other' }, 'create-7f3a');

    expect(answer.status).toBe(422);
    expect(errorCode(answer.body)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await tableSnapshot(runtime)).toBe(before);
  });

  it("answers an org member who replays the owner's key and body 403, without the External ID", async () => {
    const member = { tenantId: tenant.tenantId, roles: [], orgIds: ['org-1'], subject: 'member@idempotent' };
    const owners = await create(body(), 'create-7f3a');
    const before = await tableSnapshot(runtime);

    const replayed = await api.call(member, 'POST', '/v1/integrations', body(), {
      'idempotency-key': 'create-7f3a',
    });

    expect(replayed.status).toBe(403);
    expect(errorCode(replayed.body)).toBe('FORBIDDEN');
    expect(JSON.stringify(replayed.body)).not.toContain((owners.body as Integration).externalId);
    expect(await tableSnapshot(runtime)).toBe(before);
  });

  it('answers another tenant owner with the same key as the route would, not with the first answer', async () => {
    const otherOwner = { tenantId: tenant.tenantId, subject: 'second-owner@idempotent' };

    const answer = await api.call(otherOwner, 'POST', '/v1/integrations', body(), {
      'idempotency-key': 'create-7f3a',
    });

    expect(answer.status).toBe(409);
    expect(errorCode(answer.body)).toBe('HANDLE_TAKEN');
  });

  it('refuses a key that is not one, and acts as without a key when none is sent', async () => {
    const bad = await create(body(), 'has spaces in it');
    const unkeyed = await create(body());

    expect(bad.status).toBe(400);
    expect(errorCode(bad.body)).toBe('VALIDATION_FAILED');
    // Without a key the request runs again, and meets the integration it created.
    expect(unkeyed.status).toBe(409);
    expect(errorCode(unkeyed.body)).toBe('HANDLE_TAKEN');
  });
});
