import type { LocalRuntime } from '../../local/runtime';
import type { AuditEntry, AuditList } from '../../schemas/api/audit';
import type { Integration } from '../../schemas/api/integrations';
import type { MirrorNode } from '../../schemas/sync';
import { errorCode, localApi } from '../fixtures/local-api';
import { startTestRuntime } from '../fixtures/test-runtime';

jest.setTimeout(60_000);

let runtime: LocalRuntime;
const api = localApi(() => runtime);
const OWNER = { tenantId: 'audit-flow' };
const ORG = 'team-a';
const MEMBER = { tenantId: 'audit-flow', orgIds: [ORG], roles: [] };
const STRANGER = { tenantId: 'audit-other' };
let tenantLevel: Integration;
let orgLevel: Integration;

async function audit(caller: Record<string, unknown> & { tenantId: string }, search = '') {
  const answer = await api.call(caller, 'GET', `/v1/audit${search}`);
  return { status: answer.status, body: answer.body as AuditList };
}

const actions = (entries: readonly AuditEntry[]) => entries.map((entry) => entry.action);

beforeAll(async () => {
  runtime = await startTestRuntime();
  tenantLevel = await api.createOrganizationIntegration(OWNER, { handle: 'audited' });
  const roleArn = await api.deployRole(
    '444444444444',
    'AuditedTeamRole',
    await api.externalIdOf(OWNER.tenantId, `org:${ORG}`),
  );
  const created = await api.call(MEMBER, 'POST', '/v1/integrations', {
    kind: 'account',
    roleArn,
    handle: 'team_audited',
    scope: { level: 'org', orgId: ORG },
    regions: ['us-east-1'],
  });
  if (created.status !== 201) throw new Error(`creating the org integration answered ${created.status}`);
  orgLevel = created.body as Integration;
  await runtime.settled();
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

describe('the audit log', () => {
  it('holds a PATCH with each field before and after, newest first, and no refused one', async () => {
    const current = await api.call(OWNER, 'GET', `/v1/integrations/${tenantLevel.id}`);
    const etag = current.headers.get('etag') ?? '';
    const stale = await api.call(
      OWNER,
      'PATCH',
      `/v1/integrations/${tenantLevel.id}`,
      { handle: 'x' },
      {
        'if-match': '"99"',
      },
    );
    const patched = await api.call(
      OWNER,
      'PATCH',
      `/v1/integrations/${tenantLevel.id}`,
      { handle: 'audited_renamed', regions: ['eu-west-1'] },
      { 'if-match': etag },
    );

    const { status, body } = await audit(OWNER, `?integrationId=${tenantLevel.id}`);

    expect([stale.status, patched.status, status]).toEqual([412, 200, 200]);
    expect(actions(body.items)).toEqual(['integration.modified', 'integration.created']);
    expect(body.items[0]).toMatchObject({
      actor: { sub: expect.any(String), tenantId: OWNER.tenantId, groups: ['tenant_owner'] },
      target: { type: 'integration', id: tenantLevel.id },
      changes: {
        handle: { before: 'audited', after: 'audited_renamed' },
        regions: { before: ['us-east-1'], after: ['eu-west-1'] },
      },
      requestId: expect.any(String),
    });
    expect(JSON.stringify(body)).not.toContain(tenantLevel.externalId);
  });

  it('holds an edit of a connection, written with it', async () => {
    // The region change above reaches the connections in a run of its own.
    await runtime.settled();
    const tree = await api.call(OWNER, 'GET', `/v1/integrations/${tenantLevel.id}/tree?limit=100`);
    const connection = (tree.body as { items: MirrorNode[] }).items.find(
      (node) => node.type === 'connection',
    );
    if (!connection) throw new Error('no connection in the mirror');
    const path = `/v1/integrations/${tenantLevel.id}/connections/${connection.id}`;

    const edited = await api.call(
      OWNER,
      'PATCH',
      path,
      { regions: ['eu-central-1'] },
      {
        'if-match': `"${connection.version}"`,
      },
    );
    const { body } = await audit(OWNER, `?integrationId=${tenantLevel.id}&limit=1`);

    expect(edited.status).toBe(200);
    expect(body.items).toEqual([
      expect.objectContaining({
        action: 'connection.modified',
        target: { type: 'connection', id: connection.id },
        changes: { overrides: { before: {}, after: { regions: ['eu-central-1'] } } },
      }),
    ]);
    expect(body.nextCursor).not.toBeNull();
  });

  it("shows a member their org's entries alone, and another tenant nothing", async () => {
    const member = await audit(MEMBER);
    const owner = await audit(OWNER);
    const stranger = await audit(STRANGER);

    expect(new Set(member.body.items.map((entry) => entry.integrationId))).toEqual(new Set([orgLevel.id]));
    expect(new Set(owner.body.items.map((entry) => entry.integrationId))).toEqual(
      new Set([orgLevel.id, tenantLevel.id]),
    );
    expect(stranger).toEqual({ status: 200, body: { items: [], nextCursor: null } });
  });

  it('pages newest first through a cursor', async () => {
    const first = await audit(OWNER, `?integrationId=${tenantLevel.id}&limit=2`);
    const second = await audit(
      OWNER,
      `?integrationId=${tenantLevel.id}&limit=2&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`,
    );

    const all = [...first.body.items, ...second.body.items];
    expect(actions(all)).toEqual(['connection.modified', 'integration.modified', 'integration.created']);
    expect(all.map((entry) => entry.at)).toEqual([...all.map((entry) => entry.at)].sort().reverse());
  });

  it('refuses a from after its to, a range over 400 days, and answers 404 for a foreign integration', async () => {
    const backwards = await audit(OWNER, '?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z');
    const tooLong = await audit(OWNER, '?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z');
    const foreign = await audit(STRANGER, `?integrationId=${tenantLevel.id}`);

    expect([backwards.status, errorCode(backwards.body)]).toEqual([400, 'VALIDATION_FAILED']);
    expect([tooLong.status, errorCode(tooLong.body)]).toEqual([400, 'VALIDATION_FAILED']);
    expect([foreign.status, errorCode(foreign.body)]).toEqual([404, 'NOT_FOUND']);
  });
});
