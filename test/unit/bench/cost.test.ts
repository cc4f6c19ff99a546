import { monthlyCost, PRICES } from '../../../bench/cost';
import type { SizeResult } from '../../../bench/results';

/** An unchanged organization's full sync as the benchmark counts it; the rest does not matter here. */
function size(accounts: number, noop: Partial<SizeResult> = {}): SizeResult {
  return {
    accounts,
    noopWallSeconds: 100,
    noopSteps: 1,
    noopWriteItems: 4,
    noopReadItems: 0,
    noopPutEventsEntries: 1,
    ...noop,
  } as SizeResult;
}

describe('the monthly bill of one integration', () => {
  it('counts a sync every 6 hours and a member check a day, the check at its rate', () => {
    const cost = monthlyCost(size(1000));
    const syncs = 730 / 6;
    const checks = 730 / 24;

    expect([cost.syncs, cost.memberChecks]).toEqual([syncs, checks]);
    // Each sync: 100 s of walk on 1 GB; each check: 1,000 AssumeRoles at 5 a second.
    expect(cost.lambdaGbSeconds).toBeCloseTo(syncs * 100 + checks * 200, 6);
    // Two transactional units per written item, plus every health record renewed by each check.
    expect(cost.writeUnits).toBeCloseTo(syncs * 2 * 4 + checks * 1000, 6);
    expect(cost.events).toBeCloseTo(syncs, 6);
  });

  it('prices each service, and totals them', () => {
    const cost = monthlyCost(size(10_000, { noopWallSeconds: 400, noopSteps: 2 }));
    const { lambda, stepFunctions, dynamodb, eventBridge, total } = cost.dollars;

    expect(lambda).toBeCloseTo(
      cost.lambdaGbSeconds * PRICES.lambdaGbSecond + cost.lambdaRequests * PRICES.lambdaRequest,
      6,
    );
    expect(stepFunctions).toBeCloseTo(cost.stateTransitions * PRICES.stateTransition, 6);
    expect(total).toBeCloseTo(lambda + stepFunctions + dynamodb + eventBridge, 6);
    // Two steps and the finalize a sync; 10,000 member roles at 5 a second take 2,000 s, three
    // invocations of a 14-minute step, a check.
    expect(cost.lambdaRequests).toBeCloseTo(cost.syncs * (2 + 1) + cost.memberChecks * 3, 6);
  });
});
