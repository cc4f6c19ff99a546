import { createIntegration } from '../../../lambdas/integrations/create';
import { excludeAccount } from '../../../lambdas/integrations/exclude-account';
import { getIntegration, listIntegrations } from '../../../lambdas/integrations/read';
import { removeIntegration } from '../../../lambdas/integrations/remove';
import { testConnection } from '../../../lambdas/integrations/test-roles';
import { integrationWorld, OWNER, PASSED, REQUEST, TEAM_A_MEMBER } from '../../fixtures/integrations';

describe('reading integrations', () => {
  it("answers 403 to an org member for the tenant's own, 404 for another org's, and lists neither", async () => {
    const world = integrationWorld();
    const tenants = await createIntegration(world.deps, OWNER, REQUEST);
    const otherOrgs = await createIntegration(world.deps, OWNER, {
      ...REQUEST,
      handle: 'other',
      scope: { level: 'org', orgId: 'team-b' },
    });

    await expect(getIntegration(world.deps, TEAM_A_MEMBER, tenants.id)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(getIntegration(world.deps, TEAM_A_MEMBER, otherOrgs.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await listIntegrations(world.deps, TEAM_A_MEMBER, { limit: 25 })).items).toEqual([]);
    expect((await listIntegrations(world.deps, OWNER, { limit: 25 })).items).toHaveLength(2);
  });
});

describe('testing a connection', () => {
  it("uses the org's External ID for an org's roles, and refuses another org's", async () => {
    const { deps, roleTests } = integrationWorld();
    const request = { kind: 'organization', roleArn: PASSED.role.arn } as const;

    await testConnection(deps, TEAM_A_MEMBER, { ...request, scope: { level: 'org', orgId: 'team-a' } });
    await expect(
      testConnection(deps, TEAM_A_MEMBER, { ...request, scope: { level: 'org', orgId: 'team-b' } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });

    expect(roleTests).toHaveLength(1);
    expect(roleTests[0]?.externalId).toMatch(/^demo:/);
  });
});

describe('removing an integration', () => {
  it('needs its handle as confirmation, then starts its deletion run', async () => {
    const { deps, deletions } = integrationWorld();
    const integration = await createIntegration(deps, OWNER, REQUEST);

    await expect(removeIntegration(deps, OWNER, integration.id, 'wrong')).rejects.toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
    });
    expect(deletions).toEqual([]);

    expect(await removeIntegration(deps, OWNER, integration.id, 'acme')).toEqual({
      runId: 'deletion-1',
      status: 'deleting',
    });
    expect(deletions).toEqual([integration.id]);
  });
});

describe('excluding an account', () => {
  it('adds it to the filters once, with an event, and starts no run', async () => {
    const { deps, store, syncs } = integrationWorld();
    const integration = await createIntegration(deps, OWNER, REQUEST);
    syncs.length = 0;

    await excludeAccount(deps, OWNER, integration.id, '210000005065');
    await excludeAccount(deps, OWNER, integration.id, '210000005065');

    expect(store.items.get(integration.id)?.filters?.accounts.exclude).toEqual(['210000005065']);
    expect(store.updates).toHaveLength(1);
    expect(syncs).toEqual([]);
  });
});
