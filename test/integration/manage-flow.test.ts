import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_LOCAL_CONFIG } from '../../local/config';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import type { Integration } from '../../schemas/api/integrations';
import type { MirrorNode } from '../../schemas/sync';
import { errorCode, localApi } from '../fixtures/local-api';

jest.setTimeout(60_000);

let runtime: LocalRuntime;
let stateDir: string;
const api = localApi(() => runtime);
const tenant = { tenantId: 'manage-flow' };
const stranger = { tenantId: 'someone-else' };

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'org-connections-'));
  runtime = await startLocalRuntime({ ...DEFAULT_LOCAL_CONFIG, port: 0, stateDir });
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

async function createIntegration(handle: string): Promise<Integration> {
  const management = runtime.sandbox?.managementAccountId ?? '';
  const roleArn = await api.deployRole(
    management,
    'OrgConnectionsDiscovery',
    await api.externalIdOf(tenant.tenantId),
  );
  const created = await api.call(tenant, 'POST', '/v1/integrations', {
    kind: 'organization',
    roleArn,
    handle,
    scope: { level: 'tenant' },
    regions: ['us-east-1'],
  });
  expect(created.status).toBe(201);
  await runtime.settled();
  return created.body as Integration;
}

async function tree(integrationId: string): Promise<MirrorNode[]> {
  const answer = await api.call(tenant, 'GET', `/v1/integrations/${integrationId}/tree?limit=100`);
  expect(answer.status).toBe(200);
  return (answer.body as { items: MirrorNode[] }).items;
}

describe('deleting an integration, through the local server', () => {
  it('needs the handle as confirmation, then removes every folder and connection with events, and frees the handle and role', async () => {
    const integration = await createIntegration('to_delete');
    const nodes = await tree(integration.id);
    expect(nodes.length).toBeGreaterThan(5);
    const base = `/v1/integrations/${integration.id}`;

    const unconfirmed = await api.call(tenant, 'DELETE', base);
    const mistyped = await api.call(tenant, 'DELETE', `${base}?confirm=to_delet`);
    const foreign = await api.call(stranger, 'DELETE', `${base}?confirm=to_delete`);

    expect([unconfirmed.status, errorCode(unconfirmed.body)]).toEqual([400, 'CONFIRMATION_REQUIRED']);
    expect((unconfirmed.body as { error: { hint: string } }).error.hint).toContain('?confirm=to_delete');
    expect([mistyped.status, errorCode(mistyped.body)]).toEqual([400, 'CONFIRMATION_REQUIRED']);
    expect([foreign.status, errorCode(foreign.body)]).toEqual([404, 'NOT_FOUND']);
    expect(await tree(integration.id)).toHaveLength(nodes.length);

    const since = runtime.bus.list().length;
    const accepted = await api.call(tenant, 'DELETE', `${base}?confirm=to_delete`);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ runId: expect.any(String), status: 'deleting' });
    expect(accepted.headers.get('location')).toBe(`${base}/status`);
    await runtime.settled();

    expect((await api.call(tenant, 'GET', base)).status).toBe(404);
    expect((await api.call(tenant, 'DELETE', `${base}?confirm=to_delete`)).status).toBe(404);
    const events = runtime.bus.list(since).map((event) => event['detail-type']);
    expect(events.filter((type) => type === 'Folder Deleted' || type === 'Connection Deleted')).toHaveLength(
      nodes.length,
    );
    expect(events.at(-1)).toBe('Integration Deleted');
    // The handle and the role are free again.
    const again = await createIntegration('to_delete');
    expect(await tree(again.id)).toHaveLength(nodes.length);
  });
});
