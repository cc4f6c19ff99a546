import {
  type CallerIdentityPort,
  IdentityUnavailableError,
  makeEnvCheckService,
} from '../../../lambdas/aws-env/service';

function identityOf(accountId: string): CallerIdentityPort {
  return {
    getCallerIdentity: async () => ({ accountId, arn: `arn:aws:sts::${accountId}:assumed-role/backend/fn` }),
  };
}

describe('env check service', () => {
  it('reports configured when the backend runs as the trusted account', async () => {
    const service = makeEnvCheckService({
      identity: identityOf('123456789012'),
      trustedAccountId: '123456789012',
      partition: 'aws',
    });

    await expect(service.check()).resolves.toEqual({
      configured: true,
      trustedAccountId: '123456789012',
      partition: 'aws',
      callerAccountId: '123456789012',
      problem: null,
    });
  });

  it('reports a mismatch when customers would be told to trust another account', async () => {
    const service = makeEnvCheckService({
      identity: identityOf('210987654321'),
      trustedAccountId: '123456789012',
      partition: 'aws',
    });

    const check = await service.check();

    expect(check).toMatchObject({
      configured: false,
      callerAccountId: '210987654321',
      problem: { code: 'TRUSTED_ACCOUNT_MISMATCH' },
    });
  });

  it('reports no identity when the credentials do not work', async () => {
    const identity: CallerIdentityPort = {
      getCallerIdentity: async () => {
        throw new IdentityUnavailableError('InvalidClientTokenId');
      },
    };
    const service = makeEnvCheckService({
      identity,
      trustedAccountId: '123456789012',
      partition: 'aws-us-gov',
    });

    const check = await service.check();

    expect(check).toMatchObject({
      configured: false,
      partition: 'aws-us-gov',
      callerAccountId: null,
      problem: { code: 'NO_AWS_IDENTITY' },
    });
  });

  it('lets a passing fault through, so the caller gets a retryable error instead of a wrong answer', async () => {
    const identity: CallerIdentityPort = {
      getCallerIdentity: async () => {
        throw new Error('socket hang up');
      },
    };
    const service = makeEnvCheckService({ identity, trustedAccountId: '123456789012', partition: 'aws' });

    await expect(service.check()).rejects.toThrow('socket hang up');
  });
});
