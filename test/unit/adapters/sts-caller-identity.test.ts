import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { StsCallerIdentity } from '../../../lambdas/adapters/aws/sts-caller-identity';
import { IdentityUnavailableError } from '../../../lambdas/aws-env/ports';
import { UpstreamThrottledError, UpstreamUnavailableError } from '../../../lambdas/core/errors';

const sts = mockClient(STSClient);

function stsError(name: string) {
  return new STSServiceException({ name, $fault: 'client', $metadata: {}, message: name });
}

beforeEach(() => sts.reset());

describe('StsCallerIdentity', () => {
  it('asks STS who we are and returns the account and ARN', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '123456789012', Arn: 'arn:aws:sts::123456789012:assumed-role/r/s' });

    const identity = await new StsCallerIdentity(new STSClient({})).getCallerIdentity();

    expect(identity).toEqual({
      accountId: '123456789012',
      arn: 'arn:aws:sts::123456789012:assumed-role/r/s',
    });
    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
  });

  it.each(['InvalidClientTokenId', 'ExpiredToken', 'CredentialsProviderError'])(
    'treats %s as "no working identity"',
    async (name) => {
      sts.on(GetCallerIdentityCommand).rejects(stsError(name));

      await expect(new StsCallerIdentity(new STSClient({})).getCallerIdentity()).rejects.toBeInstanceOf(
        IdentityUnavailableError,
      );
    },
  );

  it('maps throttling to the retryable UPSTREAM_THROTTLED', async () => {
    sts.on(GetCallerIdentityCommand).rejects(stsError('Throttling'));

    await expect(new StsCallerIdentity(new STSClient({})).getCallerIdentity()).rejects.toBeInstanceOf(
      UpstreamThrottledError,
    );
  });

  it('maps any other failure to the retryable UPSTREAM_UNAVAILABLE', async () => {
    sts.on(GetCallerIdentityCommand).rejects(stsError('InternalFailure'));

    await expect(new StsCallerIdentity(new STSClient({})).getCallerIdentity()).rejects.toBeInstanceOf(
      UpstreamUnavailableError,
    );
  });
});
