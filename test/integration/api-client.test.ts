import type { LocalRuntime } from '../../local/runtime';
import { createApiClient } from '../../schemas/api-client';
import { localApi } from '../fixtures/local-api';
import { startTestRuntime } from '../fixtures/test-runtime';

/*
 * The typed client a frontend would use (openapi-fetch on schemas/generated/api.d.ts), driving
 * the local runtime: if the generated description and the API disagreed on a path, a parameter
 * or a body, this would not compile or would fail here.
 */

let runtime: LocalRuntime;
const TENANT = 'client-tenant';

beforeAll(async () => {
  runtime = await startTestRuntime();
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
}, 120_000);

jest.setTimeout(60_000);

function clientFor(roles: string[] = ['tenant_owner']) {
  return createApiClient({
    baseUrl: runtime.url,
    token: () => runtime.issuer.sign({ tenantId: TENANT, roles }),
  });
}

describe('the generated REST client', () => {
  it('onboards, tests a role and registers an integration, typed end to end', async () => {
    const api = clientFor();
    const management = runtime.sandbox?.snapshot().organization.managementAccountId ?? '';

    const onboarding = await api.GET('/v1/aws/onboarding', { params: { query: { scope: 'tenant' } } });
    const externalId = onboarding.data?.externalId ?? '';
    const roleArn = await localApi(() => runtime).deployRole(management, 'ClientDiscovery', externalId);
    const report = await api.POST('/v1/aws/test-connection', { body: { kind: 'organization', roleArn } });
    const created = await api.POST('/v1/integrations', {
      params: { header: { 'Idempotency-Key': 'client-create-1' } },
      body: {
        kind: 'organization',
        roleArn,
        handle: 'client',
        scope: { level: 'tenant' },
        regions: ['us-east-1'],
      },
    });
    const id = created.data?.id ?? '';
    const read = await api.GET('/v1/integrations/{id}', { params: { path: { id } } });

    expect(onboarding.response.status).toBe(200);
    expect(externalId).toMatch(/^client-tenant:/);
    expect(report.data?.ok).toBe(true);
    expect(created.response.status).toBe(201);
    expect(created.response.headers.get('location')).toBe(`/v1/integrations/${id}`);
    expect(read.data).toMatchObject({ id, handle: 'client', kind: 'organization' });
    expect(read.response.headers.get('etag')).toBe(`"${read.data?.version}"`);
  });

  it('changes an integration with If-Match, and reads a refusal as the typed error envelope', async () => {
    const api = clientFor();
    const [integration] =
      (await api.GET('/v1/integrations', { params: { query: { limit: 10 } } })).data?.items ?? [];
    const id = integration?.id ?? '';

    const stale = await api.PATCH('/v1/integrations/{id}', {
      params: { path: { id }, header: { 'If-Match': '"999"' } },
      body: { regions: ['us-east-1', 'eu-west-1'] },
    });
    const changed = await api.PATCH('/v1/integrations/{id}', {
      params: { path: { id }, header: { 'If-Match': `"${integration?.version}"` } },
      body: { regions: ['us-east-1', 'eu-west-1'] },
    });
    const missing = await api.GET('/v1/integrations/{id}/status', {
      params: { path: { id: '00000000-0000-4000-8000-000000000000' } },
    });

    expect(stale.response.status).toBe(412);
    expect(stale.error?.error.code).toBe('VERSION_CONFLICT');
    expect(changed.data?.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(missing.response.status).toBe(404);
    expect(missing.error?.error.code).toBe('NOT_FOUND');
  });

  it('reads the API description without a token', async () => {
    const answer = await fetch(`${runtime.url}/v1/openapi.json`);
    const document = (await answer.json()) as { openapi: string; paths: Record<string, unknown> };

    expect(answer.status).toBe(200);
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toContain('/v1/integrations/{id}/tree');
  });
});
