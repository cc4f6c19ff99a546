import type { KeyObject, webcrypto } from 'node:crypto';
import { type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions, jwtVerify } from 'jose';

/** A key, or a key set such as jose's remote JWKS (fetched once, then cached and rotated). */
export type VerificationKey = webcrypto.CryptoKey | KeyObject | JWTVerifyGetKey;

/** Only asymmetric signatures: `alg: none` and shared-secret (HS*) tokens never pass. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'PS256'];

/** Verifies a JWT's signature and registered claims with asymmetric algorithms only. */
export async function verifyJwt(
  token: string,
  key: VerificationKey,
  options: Omit<JWTVerifyOptions, 'algorithms'>,
): Promise<JWTPayload> {
  const verifyOptions = { ...options, algorithms: ASYMMETRIC_ALGORITHMS };
  // jose types the two forms of key as separate overloads.
  const result =
    typeof key === 'function'
      ? await jwtVerify(token, key, verifyOptions)
      : await jwtVerify(token, key, verifyOptions);
  return result.payload;
}
