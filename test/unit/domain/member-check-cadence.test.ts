import {
  checksMembersAfter,
  DEFAULT_MEMBER_CHECK_INTERVAL_MS,
  memberCheckDueAt,
} from '../../../lambdas/domain/member-check-cadence';

const DAY = DEFAULT_MEMBER_CHECK_INTERVAL_MS;
const NOW = Date.parse('2026-12-07T12:00:00.000Z');
const counts = (created: number, updated: number, deleted: number) => ({
  created,
  updated,
  deleted,
  heldDeletions: 0,
});
const WHOLE = null;
const TARGETED = { containers: [], accounts: ['210000001013'], ous: [], tagged: [] };
const CHECKED_AN_HOUR_AGO = { checkedAt: new Date(NOW - 3600 * 1000).toISOString() };
const CHECKED_TWO_DAYS_AGO = { checkedAt: new Date(NOW - 2 * DAY).toISOString() };

describe('when a run sets off a check of every member role', () => {
  it('checks nothing after a no-op re-sync within the interval', () => {
    expect(
      checksMembersAfter([{ targets: WHOLE, counts: counts(0, 0, 0) }], CHECKED_AN_HOUR_AGO, NOW, DAY),
    ).toBe(false);
  });

  it('checks after a no-op re-sync once the last check is an interval old, or when there was none', () => {
    const noOp = [{ targets: WHOLE, counts: counts(0, 0, 0) }];

    expect(checksMembersAfter(noOp, CHECKED_TWO_DAYS_AGO, NOW, DAY)).toBe(true);
    expect(checksMembersAfter(noOp, null, NOW, DAY)).toBe(true);
  });

  it('checks after a whole-organization run that changed something, and after any run that created', () => {
    expect(
      checksMembersAfter([{ targets: WHOLE, counts: counts(0, 1, 0) }], CHECKED_AN_HOUR_AGO, NOW, DAY),
    ).toBe(true);
    expect(
      checksMembersAfter([{ targets: WHOLE, counts: counts(0, 0, 2) }], CHECKED_AN_HOUR_AGO, NOW, DAY),
    ).toBe(true);
    expect(
      checksMembersAfter([{ targets: TARGETED, counts: counts(1, 0, 0) }], CHECKED_AN_HOUR_AGO, NOW, DAY),
    ).toBe(true);
  });

  it('counts every run since the last check: a creation whose run handed over to a follow-up', () => {
    const runs = [
      { targets: TARGETED, counts: counts(0, 1, 0) },
      { targets: TARGETED, counts: counts(1, 0, 0) },
    ];

    expect(checksMembersAfter(runs, CHECKED_AN_HOUR_AGO, NOW, DAY)).toBe(true);
  });

  it('leaves a targeted move or rename to the next check', () => {
    expect(
      checksMembersAfter([{ targets: TARGETED, counts: counts(0, 1, 0) }], CHECKED_AN_HOUR_AGO, NOW, DAY),
    ).toBe(false);
  });

  it('says when the next check falls due: an interval after the last, or at the next run', () => {
    expect(memberCheckDueAt(CHECKED_AN_HOUR_AGO, DAY)).toBe('2026-12-08T11:00:00.000Z');
    expect(memberCheckDueAt(null, DAY)).toBeNull();
  });
});
