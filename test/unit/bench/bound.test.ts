import { rateLimitBoundSeconds } from '../../../bench/bound';

describe('the rate-limit bound of a walk', () => {
  const model = { rateFraction: 0.5, latencyMs: 40, depth: 5 };

  it('is set by the busiest API: its calls beyond the burst at its share of the rate, plus two round trips', () => {
    // ListAccountsForParent at half of 5/s with burst 8: 2.5 calls a second after 4 at once.
    const bound = rateLimitBoundSeconds(
      {
        DescribeOrganization: 1,
        ListRoots: 1,
        ListOrganizationalUnitsForParent: 50,
        ListAccountsForParent: 104,
      },
      model,
    );

    expect(bound).toBeCloseTo((104 - 4) / 2.5 + 0.08, 6);
  });

  it('uses each API bucket on its own, so a second API in parallel does not add to it', () => {
    const one = rateLimitBoundSeconds({ ListAccountsForParent: 104 }, model);
    const both = rateLimitBoundSeconds(
      { ListAccountsForParent: 104, ListOrganizationalUnitsForParent: 104 },
      model,
    );

    expect(both).toBe(one);
  });

  it('cannot beat one round trip per level when every call fits in the bursts', () => {
    const bound = rateLimitBoundSeconds(
      { DescribeOrganization: 1, ListRoots: 1, ListAccountsForParent: 3 },
      model,
    );

    expect(bound).toBeCloseTo((5 + 2) * 0.04, 6);
  });

  it('scales with the share of the limits we may use', () => {
    const calls = { ListAccountsForParent: 1_004 };

    const half = rateLimitBoundSeconds(calls, model);
    const full = rateLimitBoundSeconds(calls, { ...model, rateFraction: 1 });

    expect(full).toBeCloseTo((1_004 - 8) / 5 + 0.08, 6);
    expect(half).toBeGreaterThan(1.9 * full);
  });
});
