import { readAuditLog } from '../../../lambdas/integrations/audit-log';
import { createIntegration } from '../../../lambdas/integrations/create';
import { modifyIntegration } from '../../../lambdas/integrations/modify';
import { removeIntegration } from '../../../lambdas/integrations/remove';
import { testConnection } from '../../../lambdas/integrations/test-roles';
import { auditQuerySchema } from '../../../schemas/api/audit';
import { integrationWorld, OWNER, REQUEST, TEAM_A_MEMBER } from '../../fixtures/integrations';

async function created() {
  const world = integrationWorld();
  const integration = await createIntegration(world.deps, OWNER, REQUEST);
  return { ...world, integration };
}

const query = (input: Record<string, unknown> = {}) => auditQuerySchema.parse(input);

describe('what the integration use cases audit', () => {
  it('writes a creation with the integration, in the same write', async () => {
    const { store, integration } = await created();

    expect(store.created[0]?.audit.entry).toMatchObject({
      action: 'integration.created',
      target: { type: 'integration', id: integration.id },
      integrationId: integration.id,
      actor: { sub: OWNER.subject },
      requestId: OWNER.correlationId,
    });
  });

  it('writes a change with each field before and after, and never the External ID', async () => {
    const { deps, store, integration } = await created();

    await modifyIntegration(deps, OWNER, integration.id, '"1"', {
      handle: 'renamed',
      regions: ['eu-west-1'],
    });

    const { entry } = store.updates[0]?.audit ?? {};
    expect(entry).toMatchObject({
      action: 'integration.modified',
      changes: {
        handle: { before: integration.handle, after: 'renamed' },
        regions: { before: ['us-east-1'], after: ['eu-west-1'] },
      },
    });
    expect(Object.keys(entry?.changes ?? {}).sort()).toEqual(['handle', 'regions']);
    expect(JSON.stringify(entry)).not.toContain(integration.externalId);
  });

  it('audits no refused change', async () => {
    const { deps, store, auditLog, integration } = await created();

    await expect(
      modifyIntegration(deps, OWNER, integration.id, '"9"', { handle: 'x' }),
    ).rejects.toMatchObject({
      code: 'VERSION_CONFLICT',
    });
    await expect(removeIntegration(deps, OWNER, integration.id, 'wrong')).rejects.toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
    });
    expect([store.updates, auditLog.records]).toEqual([[], []]);
  });

  it('records a deletion once the deletion run is asked for', async () => {
    const { deps, auditLog, deletions, integration } = await created();

    await removeIntegration(deps, OWNER, integration.id, integration.handle);

    expect(deletions).toEqual([integration.id]);
    expect(auditLog.entries).toEqual([
      expect.objectContaining({ action: 'integration.deletion-requested', integrationId: integration.id }),
    ]);
  });

  it('records a role test by the role it tested', async () => {
    const { deps, auditLog } = integrationWorld();

    await testConnection(deps, OWNER, { kind: 'organization', roleArn: REQUEST.roleArn });

    expect(auditLog.entries).toEqual([
      expect.objectContaining({ action: 'role.tested', target: { type: 'role', id: REQUEST.roleArn } }),
    ]);
  });
});

describe('reading the audit log', () => {
  it("gives a tenant owner all the tenant's entries, and a member only their orgs'", async () => {
    const { deps, auditLog } = integrationWorld();

    await readAuditLog(deps, OWNER, query());
    await readAuditLog(deps, TEAM_A_MEMBER, query());

    expect(auditLog.selections.map((selection) => selection.orgIds)).toEqual(['all', ['team-a']]);
  });

  it('reads the last 400 days until now by default', async () => {
    const { deps, auditLog } = integrationWorld();

    await readAuditLog(deps, OWNER, query());

    expect(auditLog.selections[0]).toMatchObject({
      from: '2025-11-02T12:00:00.000Z',
      to: '2026-12-07T12:00:00.000Z',
      limit: 25,
    });
  });

  it('refuses a range over 400 days, and a from after its to', async () => {
    const { deps } = integrationWorld();

    await expect(
      readAuditLog(deps, OWNER, query({ from: '2024-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' })),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { issues: [expect.objectContaining({ field: 'query.to' })] },
    });
    expect(
      auditQuerySchema.safeParse({ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }).success,
    ).toBe(false);
  });

  it('answers 404 for an integration of another tenant or another org', async () => {
    const { deps, auditLog } = integrationWorld();

    await expect(
      readAuditLog(deps, OWNER, query({ integrationId: '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f' })),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(auditLog.selections).toEqual([]);
  });
});
