import { createIntegration } from '../../../lambdas/integrations/create';
import { changesBetween, modifyIntegration } from '../../../lambdas/integrations/modify';
import { integrationWorld, OWNER, PASSED, REQUEST } from '../../fixtures/integrations';

async function created() {
  const world = integrationWorld();
  const integration = await createIntegration(world.deps, OWNER, REQUEST);
  world.syncs.length = 0;
  return { ...world, integration };
}

describe('modifying an integration', () => {
  it('writes the change with its event and starts a settings run for what the mirror inherits', async () => {
    const { deps, store, syncs, integration } = await created();

    const after = await modifyIntegration(deps, OWNER, integration.id, '"1"', { regions: ['eu-west-1'] });

    expect(after).toMatchObject({ version: 2, regions: ['eu-west-1'] });
    expect(store.updates.map((update) => update.event(7).detailType)).toEqual(['Integration Updated']);
    expect(syncs).toEqual([expect.objectContaining({ trigger: 'settings', integrationId: integration.id })]);
  });

  it('answers 412 for a stale If-Match, and writes nothing', async () => {
    const { deps, store, integration } = await created();

    await expect(
      modifyIntegration(deps, OWNER, integration.id, '"7"', { regions: ['eu-west-1'] }),
    ).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    expect(store.updates).toEqual([]);
  });

  it('writes nothing, and starts nothing, when nothing changes', async () => {
    const { deps, store, syncs, integration } = await created();

    const after = await modifyIntegration(deps, OWNER, integration.id, '"1"', { regions: ['us-east-1'] });

    expect(after.version).toBe(1);
    expect([store.updates, syncs]).toEqual([[], []]);
  });

  it('refuses a new role that reaches another organization', async () => {
    const { deps, store, integration } = await created();
    const elsewhere = {
      ...deps,
      roleTest: {
        test: async () => ({
          ...PASSED,
          organization: {
            id: 'o-other00001',
            arn: 'arn:aws:organizations::1:organization/o-other00001',
            managementAccountId: '210000009999',
          },
        }),
      },
    };

    await expect(
      modifyIntegration(elsewhere, OWNER, integration.id, '"1"', {
        roleArn: 'arn:aws:iam::210000001013:role/Other',
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(store.updates).toEqual([]);
  });
});

describe('what changed', () => {
  it('names each published field that differs, never the External ID', async () => {
    const { integration } = await created();

    const changes = changesBetween(integration, { ...integration, externalId: 'demo:new', handle: 'acme2' });

    expect(changes).toEqual([{ field: 'handle', from: 'acme', to: 'acme2' }]);
  });
});
