import { AppError } from '../../../lambdas/core/errors';
import { countingOutcomes, type RoleTestService } from '../../../lambdas/role-test/service';

const INPUT = {
  tenantId: 'acme',
  externalId: 'acme:x',
  request: { kind: 'organization', roleArn: 'arn:aws:iam::210000001013:role/R' },
} as Parameters<RoleTestService['test']>[0];

function roleTestThat(answer: () => Promise<never> | Promise<unknown>): RoleTestService {
  return { test: answer } as unknown as RoleTestService;
}

describe('role test outcomes', () => {
  it('counts a passed test as passed, and answers it unchanged', async () => {
    const outcomes: string[] = [];
    const passed = { report: { ok: true } };
    const counted = countingOutcomes(
      roleTestThat(async () => passed),
      (outcome) => outcomes.push(outcome),
    );

    await expect(counted.test(INPUT)).resolves.toBe(passed);
    expect(outcomes).toEqual(['passed']);
  });

  it('counts a failure by its stable code, an unknown error as INTERNAL_ERROR, and rethrows both', async () => {
    const outcomes: string[] = [];
    const refused = new AppError('EXTERNAL_ID_NOT_ENFORCED', 'the role trusts anyone');
    const count = (outcome: string) => outcomes.push(outcome);

    await expect(
      countingOutcomes(
        roleTestThat(() => Promise.reject(refused)),
        count,
      ).test(INPUT),
    ).rejects.toBe(refused);
    await expect(
      countingOutcomes(
        roleTestThat(() => Promise.reject(new Error('socket hang up'))),
        count,
      ).test(INPUT),
    ).rejects.toThrow('socket hang up');
    expect(outcomes).toEqual(['EXTERNAL_ID_NOT_ENFORCED', 'INTERNAL_ERROR']);
  });
});
