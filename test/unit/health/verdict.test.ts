import { AppError } from '../../../lambdas/core/errors';
import {
  healthOf,
  NO_COUNTS,
  type Probe,
  pendingSinceOf,
  sameVerdict,
  tally,
} from '../../../lambdas/health/verdict';
import type { MemberHealth, StackInstance } from '../../../schemas/sync';

const NOW = Date.parse('2026-12-07T12:00:00.000Z');
const MINUTE = 60_000;

const refused: Probe = { refused: true, missing: false, error: null, inspection: null, enabledRegions: null };
const letIn: Probe = {
  refused: false,
  missing: false,
  error: null,
  inspection: { permissions: { status: 'ok', denied: [], hint: null }, templateVersion: 4, outdated: false },
  enabledRegions: ['eu-west-1', 'us-east-1'],
};
const instance = (patch: Partial<StackInstance>): StackInstance => ({
  stackSetName: 'OrgConnectionsMembers',
  region: 'us-east-1',
  status: 'CURRENT',
  detailedStatus: 'SUCCEEDED',
  reason: null,
  ...patch,
});

describe("a member role's health, from one probe", () => {
  it('is ok, with what the inspection found, when the role lets us in', () => {
    const health = healthOf(letIn, null, NOW, null);

    expect(health).toMatchObject({
      status: 'ok',
      code: null,
      templateVersion: 4,
      outdated: false,
      enabledRegions: ['eu-west-1', 'us-east-1'],
    });
    expect(health.permissions?.status).toBe('ok');
  });

  it('is error, with the code and hint, when the probe could not finish', () => {
    const failed: Probe = {
      refused: false,
      missing: false,
      error: new AppError('UPSTREAM_THROTTLED', 'slow down', { hint: 'later' }),
      inspection: null,
      enabledRegions: null,
    };

    expect(healthOf(failed, null, NOW, null)).toMatchObject({
      status: 'error',
      code: 'UPSTREAM_THROTTLED',
      hint: 'later',
    });
  });

  it('is denied when the role refuses us and no StackSet says why', () => {
    expect(healthOf(refused, null, NOW, null)).toMatchObject({
      status: 'denied',
      code: 'ROLE_NOT_ASSUMABLE',
    });
  });

  it('is pending while a new account waits for the StackSet to reach it', () => {
    const since = new Date(NOW - 5 * MINUTE).toISOString();

    expect(healthOf(refused, instance({ status: null, detailedStatus: null }), NOW, since)).toMatchObject({
      status: 'pending_deployment',
      pendingSince: since,
    });
  });

  it("is not deployed, with the StackSet's reason, when its instance failed", () => {
    const failed = instance({ status: 'OUTDATED', detailedStatus: 'FAILED', reason: 'role exists' });

    const health = healthOf(refused, failed, NOW, new Date(NOW).toISOString());

    expect(health).toMatchObject({ status: 'not_deployed', code: 'MEMBER_ROLE_NOT_DEPLOYED' });
    expect(health.hint).toContain('role exists');
  });
});

describe('how long an account may wait for its role', () => {
  const pending = (minutesAgo: number): MemberHealth => ({
    ...healthOf(refused, instance({ status: null, detailedStatus: null }), NOW, null),
    status: 'pending_deployment',
    pendingSince: new Date(NOW - minutesAgo * MINUTE).toISOString(),
  });

  it('starts now for an account never checked, when newcomers may wait', () => {
    expect(pendingSinceOf(null, NOW, true)).toBe(new Date(NOW).toISOString());
    expect(pendingSinceOf(null, NOW, false)).toBeNull();
  });

  it('goes on from when it began, for at most 30 minutes', () => {
    expect(pendingSinceOf(pending(29), NOW, true)).toBe(pending(29).pendingSince);
    expect(pendingSinceOf(pending(31), NOW, true)).toBeNull();
  });
});

describe('what is news', () => {
  it('is not the time of a check, but is any change of verdict', () => {
    const before = healthOf(letIn, null, NOW, null);

    expect(sameVerdict(before, healthOf(letIn, null, NOW + MINUTE, null))).toBe(true);
    expect(sameVerdict(before, healthOf(refused, null, NOW, null))).toBe(false);
  });
});

describe('the counts', () => {
  it('add a health and take it back to where they were', () => {
    const ok = healthOf(letIn, null, NOW, null);

    const counted = tally(NO_COUNTS, ok, 1);

    expect(counted).toMatchObject({ ok: 1, permissions: { ok: 1 }, templateVersions: { '4': 1 } });
    expect(tally(counted, ok, -1)).toEqual(NO_COUNTS);
  });
});
