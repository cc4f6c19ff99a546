import { auditTrail } from '../../../lambdas/domain/audit';
import { OWNER, TEAM_A_MEMBER } from '../../fixtures/integrations';

const AT = new Date('2026-12-07T12:00:00.000Z');
const trail = auditTrail({
  retentionDays: 400,
  now: () => AT,
  newId: () => '00000000-0000-4000-8000-000000000001',
});

describe('the audit trail', () => {
  it('names who made the change, when, in which request, and keeps it the retention', () => {
    const { entry, expiresAt } = trail.entry(OWNER, {
      action: 'integration.created',
      target: { type: 'integration', id: 'int-1' },
      integrationId: '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
      scope: { level: 'tenant' },
    });

    expect(entry).toEqual({
      id: '00000000-0000-4000-8000-000000000001',
      at: '2026-12-07T12:00:00.000Z',
      actor: { sub: 'owner@demo', tenantId: 'demo', groups: ['tenant_owner'] },
      action: 'integration.created',
      target: { type: 'integration', id: 'int-1' },
      integrationId: '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
      scope: { level: 'tenant' },
      requestId: 'req-1',
      correlationId: 'req-1',
    });
    expect(expiresAt - AT.getTime() / 1000).toBe(400 * 24 * 3600);
  });

  it('records each changed field before and after, without the counters every change moves', () => {
    const { entry } = trail.entry(TEAM_A_MEMBER, {
      action: 'integration.modified',
      target: { type: 'integration', id: 'int-1' },
      scope: { level: 'org', orgId: 'team-a' },
      changes: [
        { field: 'regions', from: ['us-east-1'], to: ['eu-west-1'] },
        { field: 'version', from: 1, to: 2 },
        { field: 'updatedAt', from: 'a', to: 'b' },
      ],
    });

    expect(entry.changes).toEqual({ regions: { before: ['us-east-1'], after: ['eu-west-1'] } });
    expect(entry.actor).toEqual({ sub: 'member@demo', tenantId: 'demo', orgId: 'team-a', groups: [] });
  });

  it('leaves changes out when only the counters moved', () => {
    const { entry } = trail.entry(OWNER, {
      action: 'connection.modified',
      target: { type: 'connection', id: '210000001013' },
      scope: { level: 'tenant' },
      changes: [{ field: 'version', from: 1, to: 2 }],
    });

    expect(entry).not.toHaveProperty('changes');
  });
});
