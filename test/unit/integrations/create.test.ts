import { createIntegration, integrationOf } from '../../../lambdas/integrations/create';
import { integrationWorld, OWNER, PASSED, REQUEST, TEAM_A_MEMBER } from '../../fixtures/integrations';

describe('integrationOf', () => {
  it('holds what the role test proved beside what was asked, each other setting at its default', () => {
    const integration = integrationOf(
      REQUEST,
      { externalId: 'demo:abc', outcome: PASSED },
      { id: 'i-1', at: new Date('2026-12-07T12:00:00.000Z'), by: 'owner@demo' },
    );

    expect(integration).toMatchObject({
      id: 'i-1',
      version: 1,
      status: 'pending',
      handle: 'acme',
      roleArn: PASSED.role.arn,
      externalId: 'demo:abc',
      accountId: '210000001013',
      organizationId: 'o-k3v9x2m4p7',
      memberRoleName: 'OrgConnectionsReadOnly',
      newAccounts: 'include',
      permissions: { share: 'none' },
      filters: null,
      createdAt: '2026-12-07T12:00:00.000Z',
      createdBy: 'owner@demo',
    });
  });

  it('gives a single account no member roles', () => {
    const integration = integrationOf(
      { ...REQUEST, kind: 'account' },
      { externalId: 'demo:abc', outcome: { ...PASSED, organization: null } },
      { id: 'i-2', at: new Date(), by: 'owner@demo' },
    );

    expect([integration.memberRoleName, integration.fullMemberRoleName, integration.organizationId]).toEqual([
      null,
      null,
      null,
    ]);
  });
});

describe('creating an integration', () => {
  it("tests the roles with the scope's External ID, stores the integration with its event, and starts its first sync", async () => {
    const { deps, store, roleTests, syncs } = integrationWorld();

    const integration = await createIntegration(deps, OWNER, REQUEST);

    expect(roleTests.map((input) => input.externalId)).toEqual([integration.externalId]);
    expect(store.created.map((item) => [item.integration.id, item.event.detailType])).toEqual([
      [integration.id, 'Integration Created'],
    ]);
    expect(syncs).toEqual([
      expect.objectContaining({ integrationId: integration.id, trigger: 'initial', correlationId: 'req-1' }),
    ]);
  });

  it('refuses a tenant-level integration to an org member, before any role test', async () => {
    const { deps, roleTests } = integrationWorld();

    await expect(createIntegration(deps, TEAM_A_MEMBER, REQUEST)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(roleTests).toEqual([]);
  });

  it('refuses a tenant at its limit, spending no role test', async () => {
    const { deps, roleTests } = integrationWorld();
    for (const handle of ['a', 'b', 'c']) await createIntegration(deps, OWNER, { ...REQUEST, handle });

    await expect(createIntegration(deps, OWNER, REQUEST)).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    expect(roleTests).toHaveLength(3);
  });

  it('keeps the integration when its first sync cannot start', async () => {
    const { deps, store } = integrationWorld();
    const failing = {
      ...deps,
      syncs: { ...deps.syncs, requestSync: () => Promise.reject(new Error('workflow down')) },
    };

    const integration = await createIntegration(failing, OWNER, REQUEST);

    expect(store.items.get(integration.id)?.status).toBe('pending');
  });
});
