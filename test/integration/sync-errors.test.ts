import type { LocalRuntime } from '../../local/runtime';
import type { Integration } from '../../schemas/api/integrations';
import type { IntegrationStatusReport, RunError } from '../../schemas/sync';
import { undocumentedEvents } from '../fixtures/documented-events';
import { localApi } from '../fixtures/local-api';
import { startTestRuntime } from '../fixtures/test-runtime';

jest.setTimeout(60_000);

let runtime: LocalRuntime;
const api = localApi(() => runtime);
const tenant = { tenantId: 'sync-errors' };
const DISCOVERY_ROLE = 'OrgConnectionsDiscovery';
let integration: Integration;
let externalId: string;
let management: string;

const base = () => `/v1/integrations/${integration.id}`;

/** Starts a sync, waits for it, and answers the status and the failure events it published. */
async function syncAndRead() {
  const since = runtime.bus.list().length;
  const started = await api.call(tenant, 'POST', `${base()}/sync`);
  expect(started.status).toBe(202);
  await runtime.settled();
  const report = (await api.call(tenant, 'GET', `${base()}/status`)).body as IntegrationStatusReport;
  const events = runtime.bus.list(since);
  const errorOf = (type: string) =>
    (events.find((event) => event['detail-type'] === type)?.detail as { error?: RunError } | undefined)
      ?.error;
  return { report, syncFailed: errorOf('Sync Failed'), statusChanged: errorOf('Integration Status Changed') };
}

beforeAll(async () => {
  runtime = await startTestRuntime();
  externalId = await api.externalIdOf(tenant.tenantId);
  management = runtime.sandbox?.managementAccountId ?? '';
  integration = await api.createOrganizationIntegration(tenant, { handle: 'errors' });
  await runtime.settled();
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

describe('a sync that the customer’s role refuses keeps the meaning of the refusal', () => {
  it('a deleted discovery role fails the run with ROLE_NOT_ASSUMABLE and its hint, everywhere', async () => {
    const deleted = await api.sandbox('DELETE', `/roles/${management}/${DISCOVERY_ROLE}`);

    const { report, syncFailed, statusChanged } = await syncAndRead();

    expect(deleted.status).toBe(204);
    expect(report.status).toBe('error');
    expect(report.lastError).toMatchObject({
      code: 'ROLE_NOT_ASSUMABLE',
      message: 'We could not assume the discovery role with your External ID.',
    });
    expect(report.lastError?.hint).toContain("the integration's External ID");
    expect(syncFailed).toEqual(report.lastError);
    expect(statusChanged).toEqual(report.lastError);
  });

  it('a role whose policy lacks a listing fails the run with MISSING_PERMISSIONS, naming the action', async () => {
    await api.deployRole(management, DISCOVERY_ROLE, externalId, [], {
      deniedActions: ['organizations:ListRoots'],
    });

    const { report, syncFailed } = await syncAndRead();

    expect(report.lastError).toMatchObject({
      code: 'MISSING_PERMISSIONS',
      message: 'The role may not call organizations:ListRoots.',
    });
    expect(report.lastError?.hint).toContain('Allow organizations:ListRoots');
    expect(syncFailed).toEqual(report.lastError);
    // Nothing of the failure leaks the SDK's words or our own resources.
    expect(JSON.stringify(report.lastError)).not.toMatch(/arn:aws:(states|lambda|dynamodb)|Exception/);
  });

  it('a role deployed again lets the next sync succeed', async () => {
    await api.deployRole(management, DISCOVERY_ROLE, externalId);

    const { report } = await syncAndRead();

    expect(report).toMatchObject({ status: 'connected', lastError: null });
  });

  it('published every event of this suite as the generated event schemas describe it', () => {
    const events = runtime.bus.list();

    expect([...new Set(events.map((event) => event['detail-type']))]).toEqual(
      expect.arrayContaining(['Sync Failed', 'Integration Status Changed']),
    );
    expect(undocumentedEvents(events)).toEqual([]);
  });
});
