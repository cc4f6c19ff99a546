import { connectionView, regionsOf } from '../../../lambdas/domain/connection-regions';
import type { MemberHealth } from '../../../schemas/sync';
import { aConnection } from '../../fixtures/records';

const connection = aConnection('i', {
  permissions: { share: 'none' },
  regions: ['us-east-1', 'eu-south-1', 'ap-east-1'],
});
const health = (patch: Partial<MemberHealth>): MemberHealth => ({
  status: 'ok',
  checkedAt: '2026-12-07T12:00:00.000Z',
  code: null,
  hint: null,
  stackInstance: null,
  permissions: null,
  templateVersion: 5,
  outdated: false,
  pendingSince: null,
  enabledRegions: null,
  ...patch,
});

describe("a connection's regions against its account's", () => {
  it('keeps the configured regions the account has enabled, in their configured order', () => {
    expect(
      regionsOf(connection, health({ enabledRegions: ['ap-east-1', 'us-east-1', 'us-west-2'] })),
    ).toEqual({
      effectiveRegions: ['us-east-1', 'ap-east-1'],
      regionsNotEnabled: ['eu-south-1'],
    });
  });

  it('keeps every configured region while the enabled ones are not known', () => {
    const all = { effectiveRegions: ['us-east-1', 'eu-south-1', 'ap-east-1'], regionsNotEnabled: [] };

    expect(regionsOf(connection, null)).toEqual(all);
    expect(regionsOf(connection, health({ enabledRegions: null }))).toEqual(all);
  });

  it("names the regions not enabled in an ok health's hint, and leaves another verdict's hint alone", () => {
    const ok = connectionView(connection, health({ enabledRegions: ['us-east-1'] }));
    const denied = connectionView(
      connection,
      health({ status: 'denied', hint: 'Deploy the role.', enabledRegions: ['us-east-1'] }),
    );

    expect(ok.health?.hint).toBe(
      "eu-south-1, ap-east-1 are not enabled in this account, so calls there fail: enable them in the account's settings, or take them out of the connection's regions.",
    );
    expect(ok.enabledRegions).toEqual(['us-east-1']);
    expect(denied.health?.hint).toBe('Deploy the role.');
    expect(
      connectionView(connection, health({ enabledRegions: ['us-east-1', 'eu-south-1', 'ap-east-1'] })).health
        ?.hint,
    ).toBeNull();
  });
});
