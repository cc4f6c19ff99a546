import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { bearerToken, DEFAULT_CLAIM_NAMES, makeTokenVerifier } from '../../../lambdas/authorizer/service';
import { UnauthenticatedError } from '../../../lambdas/core/errors';

const ISSUER = 'https://issuer.example.test';
const AUDIENCE = 'aws-org-connections';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
let trusted: KeyPair;
let stranger: KeyPair;

beforeAll(async () => {
  [trusted, stranger] = await Promise.all([generateKeyPair('RS256'), generateKeyPair('RS256')]);
});

function token(
  claims: Record<string, unknown>,
  options: { key?: KeyPair['privateKey']; issuer?: string; expires?: string; audience?: string } = {},
) {
  return new SignJWT({ tenant_id: 'acme', org_ids: ['o1'], roles: ['tenant_owner'], ...claims })
    .setProtectedHeader({ alg: 'RS256' })
    .setSubject('user-1')
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expires ?? '5m')
    .sign(options.key ?? trusted.privateKey);
}

function verifier() {
  return makeTokenVerifier({
    key: trusted.publicKey,
    issuer: ISSUER,
    audience: AUDIENCE,
    claims: DEFAULT_CLAIM_NAMES,
  });
}

describe('makeTokenVerifier', () => {
  it('returns the tenant, subject, orgs and roles of a valid token', async () => {
    const tenant = await verifier()(await token({}));

    expect(tenant).toEqual({ tenantId: 'acme', subject: 'user-1', orgIds: ['o1'], roles: ['tenant_owner'] });
  });

  it('reads list claims stored as comma-separated strings, as Cognito custom attributes are', async () => {
    const tenant = await verifier()(await token({ org_ids: 'o1, o2', roles: 'tenant_owner' }));

    expect(tenant.orgIds).toEqual(['o1', 'o2']);
    expect(tenant.roles).toEqual(['tenant_owner']);
  });

  it('uses the configured claim names', async () => {
    const verify = makeTokenVerifier({
      key: trusted.publicKey,
      issuer: ISSUER,
      audience: AUDIENCE,
      claims: { tenant: 'custom:tenant_id', orgIds: 'custom:org_ids', roles: 'cognito:groups' },
    });

    const tenant = await verify(
      await token({ 'custom:tenant_id': 'globex', 'cognito:groups': ['tenant_owner'] }),
    );

    expect(tenant).toMatchObject({ tenantId: 'globex', orgIds: [], roles: ['tenant_owner'] });
  });

  it.each([
    ['signed by another key', () => token({}, { key: stranger.privateKey })],
    ['expired', () => token({}, { expires: '-1m' })],
    ['from another issuer', () => token({}, { issuer: 'https://evil.example.test' })],
    ['minted for another audience', () => token({}, { audience: 'another-application' })],
    [
      'unsigned (alg: none)',
      async () =>
        new UnsecuredJWT({ tenant_id: 'acme', sub: 'u' })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setExpirationTime('5m')
          .encode(),
    ],
    ['without a tenant claim', () => token({ tenant_id: undefined })],
    ['with a tenant id outside the allowed alphabet', () => token({ tenant_id: 'acme#T' })],
    ['not a JWT at all', async () => 'not-a-token'],
  ])('refuses a token %s', async (_, makeToken) => {
    await expect(verifier()(await makeToken())).rejects.toBeInstanceOf(UnauthenticatedError);
  });
});

describe('bearerToken', () => {
  it('reads the token from a Bearer header', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
  });

  it.each([undefined, '', 'abc.def.ghi', 'Basic dXNlcjpwYXNz', 'Bearer a b'])('refuses %p', (header) => {
    expect(() => bearerToken(header)).toThrow(UnauthenticatedError);
  });
});
