import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';

/** The local runtime's identity provider: tokens signed by a key kept in `.local/`. */
export const LOCAL_ISSUER = 'urn:aws-org-connections:local';
export const LOCAL_AUDIENCE = 'aws-org-connections-local';
/** The audience of the workspace assertions the local credentials broker takes. */
export const LOCAL_BROKER_AUDIENCE = 'aws-org-connections-broker-local';
const ALGORITHM = 'RS256';

export interface LocalTokenClaims {
  readonly tenantId: string;
  readonly roles?: readonly string[];
  readonly orgIds?: readonly string[];
  readonly subject?: string;
  /** @default 3600 */
  readonly ttlSeconds?: number;
}

/** A workspace assertion, as the platform signs one for the credentials broker. */
export interface LocalAssertionClaims {
  readonly tenantId: string;
  readonly workspaceId: string;
  /** @default 900; the broker takes at most 3600 */
  readonly ttlSeconds?: number;
}

export interface LocalIssuer {
  /** The public half, served as a JWKS for the authorizer and the credentials broker. */
  readonly jwks: { keys: JWK[] };
  sign(claims: LocalTokenClaims): Promise<string>;
  signAssertion(claims: LocalAssertionClaims): Promise<string>;
}

/**
 * Loads the local signing key, or creates it on first use. `npm start` and `npm run token`
 * share it, so tokens printed by one are accepted by the other, and by nothing else.
 */
export async function loadLocalIssuer(stateDir = '.local'): Promise<LocalIssuer> {
  const privateJwk = await loadOrCreateKey(path.join(stateDir, 'jwt-signing-key.json'));
  const privateKey = await importJWK(privateJwk, ALGORITHM);
  const { kid, kty, n, e } = privateJwk;
  return {
    jwks: { keys: [{ kid, kty, n, e, alg: ALGORITHM, use: 'sig' }] },
    sign: (claims) =>
      new SignJWT({
        tenant_id: claims.tenantId,
        roles: [...(claims.roles ?? [])],
        org_ids: [...(claims.orgIds ?? [])],
      })
        .setProtectedHeader({ alg: ALGORITHM, kid })
        .setSubject(claims.subject ?? `local-user@${claims.tenantId}`)
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${claims.ttlSeconds ?? 3600}s`)
        .sign(privateKey),
    signAssertion: (claims) =>
      new SignJWT({ tenant: claims.tenantId, workspace: claims.workspaceId })
        .setProtectedHeader({ alg: ALGORITHM, kid })
        .setSubject('local-platform')
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_BROKER_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${claims.ttlSeconds ?? 900}s`)
        .sign(privateKey),
  };
}

async function loadOrCreateKey(file: string): Promise<JWK> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as JWK;
  } catch (error: unknown) {
    if (fileErrorCode(error) !== 'ENOENT') throw error;
  }
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: ALGORITHM };
  await mkdir(path.dirname(file), { recursive: true });
  try {
    // 'wx': if another process created the key meanwhile, keep theirs.
    await writeFile(file, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' });
    return jwk;
  } catch (error: unknown) {
    if (fileErrorCode(error) !== 'EEXIST') throw error;
    return JSON.parse(await readFile(file, 'utf8')) as JWK;
  }
}

/** Node's system errors carry a `code`; checked by shape, since jest runs tests in another realm. */
function fileErrorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}
