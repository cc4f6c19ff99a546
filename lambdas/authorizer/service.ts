import { type JWTPayload, errors as joseErrors } from 'jose';
import * as z from 'zod';
import { UnauthenticatedError } from '../core/errors';
import { type VerificationKey, verifyJwt } from '../core/jwt';
import { type TenantContext, tenantIdSchema } from '../core/tenant-context';

/** Names of the claims that carry the tenant, its platform orgs and the caller's roles. */
export interface ClaimNames {
  readonly tenant: string;
  readonly orgIds: string;
  readonly roles: string;
}

export const DEFAULT_CLAIM_NAMES: ClaimNames = { tenant: 'tenant_id', orgIds: 'org_ids', roles: 'roles' };

export interface TokenVerifierOptions {
  readonly key: VerificationKey;
  readonly issuer: string;
  /** The token's `aud` must contain it. */
  readonly audience: string;
  readonly claims: ClaimNames;
}

export type TokenVerifier = (token: string) => Promise<TenantContext>;

/**
 * A list claim may be a JSON array or, as identity providers store custom attributes,
 * a comma- or space-separated string.
 */
const listClaim = z
  .union([z.array(z.string()), z.string()])
  .optional()
  .transform((value) => {
    if (value === undefined) return [];
    const items = typeof value === 'string' ? value.split(/[\s,]+/) : value;
    return items.filter((item) => item.length > 0);
  });

export function makeTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  return async (token) => {
    const payload = await verifySignature(token, options);
    const tenantId = tenantIdSchema.safeParse(payload[options.claims.tenant]);
    const orgIds = listClaim.safeParse(payload[options.claims.orgIds]);
    const roles = listClaim.safeParse(payload[options.claims.roles]);
    if (!tenantId.success || !orgIds.success || !roles.success || !payload.sub) {
      throw new UnauthenticatedError('The token lacks a valid tenant, org, role or subject claim.');
    }
    return { tenantId: tenantId.data, subject: payload.sub, orgIds: orgIds.data, roles: roles.data };
  };
}

async function verifySignature(token: string, options: TokenVerifierOptions): Promise<JWTPayload> {
  try {
    return await verifyJwt(token, options.key, {
      issuer: options.issuer,
      audience: options.audience,
      requiredClaims: ['exp', 'sub'],
    });
  } catch (error: unknown) {
    if (error instanceof joseErrors.JOSEError) {
      throw new UnauthenticatedError(`The token was refused (${error.code}).`, error);
    }
    throw error;
  }
}

/** Reads the token from an `Authorization: Bearer <token>` header value. */
export function bearerToken(header: string | undefined): string {
  const match = /^Bearer\s+(\S+)$/i.exec(header?.trim() ?? '');
  if (!match?.[1]) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>".');
  return match[1];
}
