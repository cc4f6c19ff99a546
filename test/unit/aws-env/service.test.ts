import { type CallerIdentityPort, IdentityUnavailableError } from '../../../lambdas/aws-env/ports';
import { makeEnvCheckService } from '../../../lambdas/aws-env/service';
import type { Partition } from '../../../schemas/api/common';

const TRUSTED = '123456789012';

function identityOf(accountId: string): CallerIdentityPort {
  return {
    getCallerIdentity: async () => ({ accountId, arn: `arn:aws:sts::${accountId}:assumed-role/backend/fn` }),
  };
}

function failingIdentity(error: Error): CallerIdentityPort {
  return {
    getCallerIdentity: async () => {
      throw error;
    },
  };
}

function check(identity: CallerIdentityPort, partition: Partition = 'aws') {
  return makeEnvCheckService({ identity, trustedAccountId: TRUSTED, partition }).check();
}

describe('env check service', () => {
  it('reports configured when the backend runs as the trusted account', async () => {
    await expect(check(identityOf(TRUSTED))).resolves.toEqual({
      configured: true,
      trustedAccountId: TRUSTED,
      partition: 'aws',
      regions: expect.arrayContaining(['us-east-1', 'eu-west-1', 'ap-southeast-2']),
      callerAccountId: TRUSTED,
      problem: null,
    });
  });

  it('reports a mismatch when customers would be told to trust another account', async () => {
    await expect(check(identityOf('210987654321'))).resolves.toMatchObject({
      configured: false,
      callerAccountId: '210987654321',
      problem: { code: 'TRUSTED_ACCOUNT_MISMATCH' },
    });
  });

  it('reports no identity when the credentials do not work', async () => {
    const identity = failingIdentity(new IdentityUnavailableError('InvalidClientTokenId'));

    await expect(check(identity, 'aws-us-gov')).resolves.toMatchObject({
      configured: false,
      partition: 'aws-us-gov',
      regions: ['us-gov-west-1', 'us-gov-east-1'],
      callerAccountId: null,
      problem: { code: 'NO_AWS_IDENTITY' },
    });
  });

  it('lets a passing fault through, so the caller gets a retryable error instead of a wrong answer', async () => {
    await expect(check(failingIdentity(new Error('socket hang up')))).rejects.toThrow('socket hang up');
  });
});
