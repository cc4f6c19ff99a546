import type { Credentials } from '@aws-sdk/client-sts';
import { errorName, UpstreamThrottledError, UpstreamUnavailableError } from '../../core/errors';
import type { IssuedCredentials } from '../../credentials/ports';
import { RoleRefusedError } from '../../ports/customer-roles';
import { STS_THROTTLING } from './aws-failures';

// What STS answers, as the ports name it. Apart from the role sessions' own clients, so that a
// function that only asks STS for credentials (the broker, the tenant table) loads no other.

/** The credentials of an AssumeRole answer, each part and the expiry present, or STS is unavailable. */
export function sessionCredentials(credentials: Credentials | undefined): IssuedCredentials {
  if (
    !credentials?.AccessKeyId ||
    !credentials.SecretAccessKey ||
    !credentials.SessionToken ||
    !credentials.Expiration
  ) {
    throw new UpstreamUnavailableError('AWS STS');
  }
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
    expiration: credentials.Expiration,
  };
}

/** An STS error as the ports name it: throttled, or unavailable. */
export function stsFailure(error: unknown): unknown {
  if (error instanceof UpstreamUnavailableError) return error;
  if (STS_THROTTLING.has(errorName(error))) return new UpstreamThrottledError('AWS STS', error);
  return new UpstreamUnavailableError('AWS STS', error);
}

/**
 * An AssumeRole error as the ports name it: refused (STS answers AccessDenied both for a trust
 * policy that refuses us and for a role that does not exist), throttled, or unavailable.
 */
export function assumeRoleFailure(error: unknown): unknown {
  if (errorName(error) === 'AccessDenied')
    return new RoleRefusedError('AssumeRole was refused', { cause: error });
  return stsFailure(error);
}
