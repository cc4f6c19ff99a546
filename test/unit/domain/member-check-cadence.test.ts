import {
  DEFAULT_MEMBER_CHECK_INTERVAL_MS,
  memberCheckAfter,
  memberCheckDueAt,
} from '../../../lambdas/domain/member-check-cadence';
import { syncTargets } from '../../../schemas/sync';

const DAY = DEFAULT_MEMBER_CHECK_INTERVAL_MS;
const NOW = Date.parse('2026-12-07T12:00:00.000Z');
const counts = (created: number, updated: number, deleted: number) => ({
  created,
  updated,
  deleted,
  heldDeletions: 0,
});
const WHOLE = null;
const MOVED = '210000001013';
const TARGETED = syncTargets({ accounts: [MOVED] });
const ALL = { scope: 'all', accounts: [] };
const NEW_ONLY = { scope: 'targeted', accounts: [] };
const CHECKED_AN_HOUR_AGO = { checkedAt: new Date(NOW - 3600 * 1000).toISOString() };
const CHECKED_TWO_DAYS_AGO = { checkedAt: new Date(NOW - 2 * DAY).toISOString() };

describe('which member roles a run sets off a check of', () => {
  it('checks nothing after a no-op re-sync within the interval', () => {
    expect(
      memberCheckAfter([{ targets: WHOLE, counts: counts(0, 0, 0) }], CHECKED_AN_HOUR_AGO, NOW, DAY),
    ).toBeNull();
  });

  it('checks after a no-op re-sync once the last check is an interval old, or when there was none', () => {
    const noOp = [{ targets: WHOLE, counts: counts(0, 0, 0) }];

    expect(memberCheckAfter(noOp, CHECKED_TWO_DAYS_AGO, NOW, DAY)).toEqual(ALL);
    expect(memberCheckAfter(noOp, null, NOW, DAY)).toEqual(ALL);
  });

  it('checks every role after a whole-organization run that changed something', () => {
    for (const changed of [counts(0, 1, 0), counts(0, 0, 2), counts(1, 0, 0)]) {
      expect(memberCheckAfter([{ targets: WHOLE, counts: changed }], CHECKED_AN_HOUR_AGO, NOW, DAY)).toEqual(
        ALL,
      );
    }
  });

  it('checks only the unchecked roles after a targeted run that created connections', () => {
    expect(
      memberCheckAfter([{ targets: TARGETED, counts: counts(1, 0, 0) }], CHECKED_AN_HOUR_AGO, NOW, DAY),
    ).toEqual(NEW_ONLY);
    // Once the interval has passed, every role.
    expect(
      memberCheckAfter([{ targets: TARGETED, counts: counts(1, 0, 0) }], CHECKED_TWO_DAYS_AGO, NOW, DAY),
    ).toEqual(ALL);
  });

  it('counts every run since the last check: a creation whose run handed over to a follow-up', () => {
    const runs = [
      { targets: TARGETED, counts: counts(0, 1, 0) },
      { targets: TARGETED, counts: counts(1, 0, 0) },
    ];

    expect(memberCheckAfter(runs, CHECKED_AN_HOUR_AGO, NOW, DAY)).toEqual({
      scope: 'targeted',
      accounts: [MOVED],
    });
  });

  it('checks the accounts a targeted run updated (a move), and none that it left as they were', () => {
    expect(
      memberCheckAfter([{ targets: TARGETED, counts: counts(0, 1, 0) }], CHECKED_AN_HOUR_AGO, NOW, DAY),
    ).toEqual({ scope: 'targeted', accounts: [MOVED] });
    expect(
      memberCheckAfter([{ targets: TARGETED, counts: counts(0, 0, 0) }], CHECKED_AN_HOUR_AGO, NOW, DAY),
    ).toBeNull();
  });

  it('checks the accounts whose regions changed, though the run changed nothing in the mirror', () => {
    const optedIn = syncTargets({ regionsChanged: ['210000002026', '210000003039'] });

    expect(
      memberCheckAfter([{ targets: optedIn, counts: counts(0, 0, 0) }], CHECKED_AN_HOUR_AGO, NOW, DAY),
    ).toEqual({ scope: 'targeted', accounts: ['210000002026', '210000003039'] });
  });

  it('says when the next check falls due: an interval after the last, or at the next run', () => {
    expect(memberCheckDueAt(CHECKED_AN_HOUR_AGO, DAY)).toBe('2026-12-08T11:00:00.000Z');
    expect(memberCheckDueAt(null, DAY)).toBeNull();
  });
});
