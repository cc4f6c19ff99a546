import { connectionOfKeys, ITEM_KEYS, integrationOfKeys } from '../../../schemas/table';

const INTEGRATION = '0b1d4c9e-5a3f-4e21-9c7d-2f6a8b0e4d13';

describe("the table's keys, decoded", () => {
  it('reads back the tenant, integration and account of a connection item', () => {
    const keys = [ITEM_KEYS.tenant('demo'), ITEM_KEYS.connection(INTEGRATION, '210000005065')] as const;

    expect(connectionOfKeys(...keys)).toEqual({
      tenantId: 'demo',
      integrationId: INTEGRATION,
      accountId: '210000005065',
    });
  });

  it.each([
    ['a folder', ITEM_KEYS.tenant('demo'), ITEM_KEYS.folder(INTEGRATION, 'ou-k3v9-s3cur1ty')],
    ['a health record', ITEM_KEYS.tenant('demo'), ITEM_KEYS.memberHealth(INTEGRATION, '210000005065')],
    ['another partition', 'SCHEDULE', ITEM_KEYS.connection(INTEGRATION, '210000005065')],
    ['no keys', undefined, undefined],
  ])('finds no connection in %s', (_, pk, sk) => {
    expect(connectionOfKeys(pk, sk)).toBeNull();
  });

  it("reads back an integration item's tenant and id, and nothing else", () => {
    expect(integrationOfKeys(ITEM_KEYS.tenant('demo'), ITEM_KEYS.integration(INTEGRATION))).toEqual({
      tenantId: 'demo',
      integrationId: INTEGRATION,
    });
    expect(
      integrationOfKeys(ITEM_KEYS.tenant('demo'), ITEM_KEYS.connection(INTEGRATION, '210000005065')),
    ).toBeNull();
  });
});
