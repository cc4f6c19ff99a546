import type { LocalRuntime } from '../../local/runtime';
import type { Integration } from '../../schemas/api/integrations';
import type { MirrorNode } from '../../schemas/sync';
import { undocumentedEvents } from '../fixtures/documented-events';
import { errorCode, localApi } from '../fixtures/local-api';
import { startTestRuntime } from '../fixtures/test-runtime';

jest.setTimeout(60_000);

let runtime: LocalRuntime;
const api = localApi(() => runtime);
const tenant = { tenantId: 'manage-flow' };
const stranger = { tenantId: 'someone-else' };

beforeAll(async () => {
  runtime = await startTestRuntime();
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

async function deployRole(roleName: string, requireExternalId = true): Promise<string> {
  const management = runtime.sandbox?.managementAccountId ?? '';
  const externalId = requireExternalId ? await api.externalIdOf(tenant.tenantId) : null;
  return api.deployRole(management, roleName, externalId);
}

async function createIntegration(handle: string, roleName = 'OrgConnectionsDiscovery'): Promise<Integration> {
  const integration = await api.createOrganizationIntegration(tenant, { handle, roleName });
  await runtime.settled();
  return integration;
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

describe('modifying an integration, through the local server', () => {
  it('needs If-Match with the current version, and answers 404 to another tenant', async () => {
    const integration = await createIntegration('patched', 'PatchDiscovery');
    const base = `/v1/integrations/${integration.id}`;
    const patch = async (body: unknown, ifMatch?: string, caller = tenant) => {
      const token = await runtime.issuer.sign({ roles: ['tenant_owner'], ...caller });
      const response = await fetch(`${runtime.url}${base}`, {
        method: 'PATCH',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }),
        },
        body: JSON.stringify(body),
      });
      return {
        status: response.status,
        etag: response.headers.get('etag'),
        body: (await response.json()) as unknown,
      };
    };

    const missing = await patch({ regions: ['eu-west-1'] });
    const stale = await patch({ regions: ['eu-west-1'] }, '"7"');
    const foreign = await patch({ regions: ['eu-west-1'] }, '"1"', stranger);
    const empty = await patch({}, '"1"');
    const wrongKind = await patch({ readOnlyRoleArn: null }, '"1"');

    expect([missing.status, errorCode(missing.body)]).toEqual([400, 'VALIDATION_FAILED']);
    expect([stale.status, errorCode(stale.body)]).toEqual([412, 'VERSION_CONFLICT']);
    expect((stale.body as { error: { details: unknown } }).error.details).toEqual({ currentVersion: 1 });
    expect([foreign.status, errorCode(foreign.body)]).toEqual([404, 'NOT_FOUND']);
    expect([empty.status, errorCode(empty.body)]).toEqual([400, 'VALIDATION_FAILED']);
    expect([wrongKind.status, errorCode(wrongKind.body)]).toEqual([400, 'VALIDATION_FAILED']);
    expect(((await api.call(tenant, 'GET', base)).body as Integration).version).toBe(1);

    const since = runtime.bus.list().length;
    const renamed = await patch({ handle: 'patched_again', regions: ['eu-west-1', 'us-east-1'] }, '"1"');
    expect(renamed.status).toBe(200);
    expect(renamed.etag).toBe('"2"');
    expect(renamed.body).toMatchObject({
      version: 2,
      handle: 'patched_again',
      regions: ['eu-west-1', 'us-east-1'],
    });
    await runtime.settled();
    const updated = runtime.bus.list(since).filter((event) => event['detail-type'] === 'Integration Updated');
    expect(
      updated.map((event) => (event.detail as { changes: { field: string }[] }).changes.map((c) => c.field)),
    ).toEqual([['handle', 'regions']]);
    expect(JSON.stringify(updated)).not.toContain('externalId');
    // The same PATCH again changes nothing and publishes nothing.
    const again = await patch({ handle: 'patched_again' }, '"2"');
    expect([again.status, (again.body as Integration).version]).toEqual([200, 2]);
    await runtime.settled();
    expect(
      runtime.bus.list(since).filter((event) => event['detail-type'] === 'Integration Updated'),
    ).toHaveLength(1);

    // The old handle is free; a handle another integration holds is refused, and nothing changes.
    const other = await createIntegration('patched', 'PatchDiscoveryOther');
    const taken = await patch({ handle: other.handle, regions: ['us-west-2'] }, '"2"');
    expect([taken.status, errorCode(taken.body)]).toEqual([409, 'HANDLE_TAKEN']);
    expect((await api.call(tenant, 'GET', base)).body).toMatchObject({
      version: 2,
      regions: ['eu-west-1', 'us-east-1'],
    });
  });

  it('tests new credentials first: a role that ignores the External ID changes nothing; a good one re-syncs', async () => {
    const integration = await createIntegration('rotated', 'RotateDiscovery');
    const base = `/v1/integrations/${integration.id}`;
    const connections = (await tree(integration.id)).filter((node) => node.type === 'connection');
    const token = await runtime.issuer.sign({ roles: ['tenant_owner'], ...tenant });
    const patch = async (body: unknown, version: number) => {
      const response = await fetch(`${runtime.url}${base}`, {
        method: 'PATCH',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'if-match': `"${version}"`,
        },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    };

    const lax = await patch({ roleArn: await deployRole('LaxDiscovery', false) }, 1);
    expect([lax.status, errorCode(lax.body)]).toEqual([422, 'EXTERNAL_ID_NOT_ENFORCED']);
    expect(((await api.call(tenant, 'GET', base)).body as Integration).roleArn).toBe(integration.roleArn);

    const since = runtime.bus.list().length;
    const newRole = await deployRole('RotatedDiscovery');
    const rotated = await patch({ roleArn: newRole, memberRoleName: 'OrgConnectionsMember' }, 1);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({
      version: 2,
      roleArn: newRole,
      memberRoleName: 'OrgConnectionsMember',
    });
    await runtime.settled();

    const runs = (await api.call(tenant, 'GET', `${base}/runs`)).body as {
      items: { trigger: string; status: string }[];
    };
    expect(runs.items[0]).toMatchObject({ trigger: 'settings', status: 'succeeded' });
    // Every member account's connection now names the new member role.
    const events = runtime.bus.list(since).filter((event) => event['detail-type'] === 'Connection Updated');
    const members = connections.filter((node) => node.type === 'connection' && !node.managementAccount);
    expect(events).toHaveLength(connections.length);
    for (const node of await tree(integration.id)) {
      if (node.type !== 'connection') continue;
      expect(node.roleArn).toBe(
        node.managementAccount ? newRole : `arn:aws:iam::${node.id}:role/OrgConnectionsMember`,
      );
    }
    expect(members.length).toBe(connections.length - 1);
  });

  it('published every event of this suite as the generated event schemas describe it', () => {
    const events = runtime.bus.list();

    expect([...new Set(events.map((event) => event['detail-type']))]).toEqual(
      expect.arrayContaining(['Integration Updated', 'Integration Deleted']),
    );
    expect(undocumentedEvents(events)).toEqual([]);
  });
});
