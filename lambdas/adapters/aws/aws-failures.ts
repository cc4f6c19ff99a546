import { errorName, UpstreamThrottledError, UpstreamUnavailableError } from '../../core/errors';
import { PermissionDeniedError, RequestRefusedError, RoleMissingError } from '../../ports/customer-roles';

/** STS models neither throttling nor AccessDenied as classes; their names are stable. */
export const STS_THROTTLING = new Set(['Throttling', 'ThrottlingException']);
export const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

/** IAM's answer to a read of a role that does not exist. */
const IAM_NO_SUCH_ENTITY = new Set(['NoSuchEntity', 'NoSuchEntityException']);

/** IAM answers these to the request itself: asking again cannot change the answer. */
const IAM_REQUEST_REFUSED = new Set([
  'ValidationError',
  'MalformedPolicyDocument',
  'MalformedPolicyDocumentException',
  'InvalidInput',
  'InvalidInputException',
]);

/**
 * What an IAM call's error means: a denial, throttling or an outage (both retried), the role's
 * absence, or a refusal of the request itself; neither of the last two is retried. Our IAM reads
 * are all of the session's own role, so NoSuchEntity means that role.
 */
export function iamFailure(error: unknown, action: string): unknown {
  const name = errorName(error);
  if (ACCESS_DENIED.has(name)) return new PermissionDeniedError(action, { cause: error });
  if (IAM_NO_SUCH_ENTITY.has(name)) return new RoleMissingError(action, error);
  if (STS_THROTTLING.has(name)) return new UpstreamThrottledError('AWS IAM', error);
  if (IAM_REQUEST_REFUSED.has(name) || notImplemented(error))
    return new RequestRefusedError('AWS IAM', action, error);
  return new UpstreamUnavailableError('AWS IAM', error);
}

/**
 * What an Account Management call's error means: a denial, throttling or an outage (retried), or
 * a refusal of the request itself, which is never retried.
 */
export function accountFailure(error: unknown, action: string): unknown {
  const name = errorName(error);
  const service = 'AWS Account Management';
  if (ACCESS_DENIED.has(name)) return new PermissionDeniedError(action, { cause: error });
  if (name === 'TooManyRequestsException') return new UpstreamThrottledError(service, error);
  if (name === 'ValidationException' || notImplemented(error))
    return new RequestRefusedError(service, action, error);
  return new UpstreamUnavailableError(service, error);
}

/** A 501, or a 500 that says so: an endpoint (an emulator's, say) without the action. */
function notImplemented(error: unknown): boolean {
  const { $metadata, message } = (error ?? {}) as {
    $metadata?: { httpStatusCode?: number };
    message?: unknown;
  };
  const status = $metadata?.httpStatusCode;
  return status === 501 || (status === 500 && /not (yet )?implemented/i.test(String(message)));
}
