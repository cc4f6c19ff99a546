import { errors as joseErrors } from 'jose';
import { tenantIdSchema, workspaceIdSchema } from '../../schemas/api/common';
import { UpstreamUnavailableError } from '../core/errors';
import { type VerificationKey, verifyJwt } from '../core/jwt';

/** The platform's word on whom a consumer acts for: a tenant and one of its workspaces. */
export interface WorkspaceAssertion {
  readonly tenantId: string;
  readonly workspaceId: string;
}

/** The longest an assertion may live, from `iat` to `exp`: short, since nothing revokes it. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 3600;

/** Which check an assertion failed; the refusal names it, and nothing more. */
export type AssertionCheck =
  | 'missing'
  | 'malformed'
  | 'algorithm'
  | 'key'
  | 'signature'
  | 'issuer'
  | 'audience'
  | 'expired'
  | 'not-yet-valid'
  | 'lifetime'
  | 'claims';

export class AssertionInvalidError extends Error {
  constructor(readonly check: AssertionCheck) {
    super(
      check === 'missing'
        ? 'The workspace assertion is missing.'
        : `The workspace assertion failed its ${check} check.`,
    );
    this.name = 'AssertionInvalidError';
  }
}

export interface AssertionVerifierOptions {
  /** The platform issuer's keys: its JWKS, or one public key. */
  readonly key: VerificationKey;
  readonly issuer: string;
  /** The broker's audience: an assertion minted for anything else never passes. */
  readonly audience: string;
}

export type AssertionVerifier = (token: string | undefined) => Promise<WorkspaceAssertion>;

/**
 * Verifies a workspace assertion: an asymmetric signature by a key of the issuer's, `iss`,
 * `aud`, `exp`, `nbf` and `iat` (with at most an hour between `iat` and `exp`), and the
 * `tenant` and `workspace` claims. Throws AssertionInvalidError naming the failed check, or
 * UpstreamUnavailableError when the issuer's keys cannot be fetched.
 */
export function makeAssertionVerifier(options: AssertionVerifierOptions): AssertionVerifier {
  return async (token) => {
    if (token === undefined) throw new AssertionInvalidError('missing');
    const payload = await verifyJwt(token, options.key, {
      issuer: options.issuer,
      audience: options.audience,
      requiredClaims: ['exp', 'iat', 'tenant', 'workspace'],
    }).catch((error: unknown) => {
      throw asAssertionError(error);
    });
    const { exp, iat } = payload;
    if (exp === undefined || iat === undefined || exp - iat > MAX_ASSERTION_LIFETIME_SECONDS) {
      throw new AssertionInvalidError('lifetime');
    }
    const tenantId = tenantIdSchema.safeParse(payload.tenant);
    const workspaceId = workspaceIdSchema.safeParse(payload.workspace);
    if (!tenantId.success || !workspaceId.success) throw new AssertionInvalidError('claims');
    return { tenantId: tenantId.data, workspaceId: workspaceId.data };
  };
}

const CLAIM_CHECKS: Readonly<Record<string, AssertionCheck>> = {
  iss: 'issuer',
  aud: 'audience',
  nbf: 'not-yet-valid',
  iat: 'not-yet-valid',
};

/** jose's refusal as the check it names; a JWKS that cannot be fetched is upstream trouble. */
function asAssertionError(error: unknown): Error {
  if (error instanceof joseErrors.JWTExpired) return new AssertionInvalidError('expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return new AssertionInvalidError('claims');
    return new AssertionInvalidError(CLAIM_CHECKS[error.claim] ?? 'claims');
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed || error instanceof joseErrors.JOSENotSupported) {
    return new AssertionInvalidError('algorithm');
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys) {
    return new AssertionInvalidError('key');
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed)
    return new AssertionInvalidError('signature');
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid) {
    return new AssertionInvalidError('malformed');
  }
  // What is left of jose's errors is about the key set itself: a timeout, or an answer that is no JWKS.
  if (error instanceof joseErrors.JOSEError) {
    return new UpstreamUnavailableError("The platform issuer's key set", error);
  }
  return error instanceof Error ? error : new Error(String(error));
}
