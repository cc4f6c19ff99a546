import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { CallerIdentity, CallerIdentityPort } from '../../aws-env/ports';
import { IdentityUnavailableError } from '../../aws-env/ports';
import { errorName, UpstreamThrottledError, UpstreamUnavailableError } from '../../core/errors';

/** STS error names that mean "these credentials do not work", as opposed to a passing fault. */
const NO_IDENTITY = new Set([
  'CredentialsProviderError',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'AccessDenied',
]);

export class StsCallerIdentity implements CallerIdentityPort {
  constructor(private readonly sts: STSClient) {}

  async getCallerIdentity(): Promise<CallerIdentity> {
    try {
      const answer = await this.sts.send(new GetCallerIdentityCommand({}));
      if (!answer.Account || !answer.Arn) throw new UpstreamUnavailableError('AWS STS');
      return { accountId: answer.Account, arn: answer.Arn };
    } catch (error: unknown) {
      const name = errorName(error);
      if (NO_IDENTITY.has(name)) throw new IdentityUnavailableError(name, { cause: error });
      if (name === 'Throttling' || name === 'ThrottlingException')
        throw new UpstreamThrottledError('AWS STS', error);
      if (error instanceof UpstreamUnavailableError) throw error;
      throw new UpstreamUnavailableError('AWS STS', error);
    }
  }
}
