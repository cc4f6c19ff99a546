import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { importJWK, type JWK, SignJWT } from 'jose';
import { API_ROUTES } from '../../lambdas/routes';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../local/jwt-issuer';
import type { LocalRuntime } from '../../local/runtime';
import type { Integration } from '../../schemas/api/integrations';
import { treePageSchema } from '../../schemas/sync';
import { documentedCodesOf } from '../fixtures/documented-errors';
import { type Answer, errorCode, localApi } from '../fixtures/local-api';
import { tableSnapshot } from '../fixtures/table-snapshot';
import { startTestRuntime } from '../fixtures/test-runtime';

/**
 * The tenant isolation matrix: every route, asked about tenant A's resources by every
 * kind of caller that must not reach them, answers the specified 401, 403 or 404; the table is
 * unchanged afterwards, and no answer carries A's External ID, integrations or accounts.
 */

let runtime: LocalRuntime;
const { call, deployRole, externalIdOf, createOrganizationIntegration } = localApi(() => runtime);
jest.setTimeout(60_000);

const OWNER = { tenantId: 'iso_a' };
const ORG = 'team-a';
const OTHER_TENANT = 'iso_b';
let tenantLevel: Integration;
let orgLevel: Integration;
let secrets: string[];
let ouId: string;
let accountId: string;

beforeAll(async () => {
  runtime = await startTestRuntime();
  tenantLevel = await createOrganizationIntegration(OWNER, {
    handle: 'tenant_wide',
    permissions: { share: 'all' },
  });
  const roleArn = await deployRole(
    '444444444444',
    'IsolationRole',
    await externalIdOf(OWNER.tenantId, `org:${ORG}`),
  );
  const created = await call(OWNER, 'POST', '/v1/integrations', {
    kind: 'account',
    roleArn,
    handle: 'team_owned',
    scope: { level: 'org', orgId: ORG },
    regions: ['us-east-1'],
    permissions: { share: 'all' },
  });
  if (created.status !== 201) throw new Error(`creating the org integration answered ${created.status}`);
  orgLevel = created.body as Integration;
  await runtime.settled();
  const tree = treePageSchema.parse(
    (await call(OWNER, 'GET', `/v1/integrations/${tenantLevel.id}/tree?limit=100`)).body,
  );
  const folder = tree.items.find((node) => node.type === 'folder');
  // Not the management account: probes send its role's ARN themselves.
  const connection = tree.items.find(
    (node) => node.type === 'connection' && node.id !== tenantLevel.managementAccountId,
  );
  if (!folder || !connection) throw new Error('the sandbox mirror has no folder or connection');
  ouId = folder.id;
  accountId = connection.id;
  // Not the tenant-level role's ARN: some probes send it themselves.
  secrets = [
    await externalIdOf(OWNER.tenantId),
    await externalIdOf(OWNER.tenantId, `org:${ORG}`),
    tenantLevel.id,
    orgLevel.id,
    roleArn,
    accountId,
    '444444444444',
  ];
  // The other tenant's own External ID exists before the table is compared.
  await externalIdOf(OTHER_TENANT);
}, 180_000);

afterAll(async () => {
  await runtime?.stop();
}, 120_000);

type CallerName =
  | 'another tenant'
  | 'a token without the org'
  | 'a token without tenant_owner'
  | 'no token'
  | 'an expired token'
  | 'a token of the wrong issuer'
  | 'a token for another audience'
  | 'an unsigned token (alg: none)';

const CALLERS: readonly CallerName[] = [
  'another tenant',
  'a token without the org',
  'a token without tenant_owner',
  'no token',
  'an expired token',
  'a token of the wrong issuer',
  'a token for another audience',
  'an unsigned token (alg: none)',
];

const UNAUTHENTICATED = new Set<CallerName>([
  'no token',
  'an expired token',
  'a token of the wrong issuer',
  'a token for another audience',
  'an unsigned token (alg: none)',
]);

/** Signs with the local issuer's own key, so only the claim under test is wrong. */
async function forged(claims: { issuer: string; expiresAt: number; audience?: string }): Promise<string> {
  const jwk = JSON.parse(
    await readFile(path.join(runtime.config.stateDir, 'jwt-signing-key.json'), 'utf8'),
  ) as JWK;
  return new SignJWT({ tenant_id: OWNER.tenantId, roles: ['tenant_owner'], org_ids: [ORG] })
    .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
    .setSubject('forger')
    .setIssuer(claims.issuer)
    .setAudience(claims.audience ?? LOCAL_AUDIENCE)
    .setIssuedAt(claims.expiresAt - 3600)
    .setExpirationTime(claims.expiresAt)
    .sign(await importJWK(jwk, 'RS256'));
}

function unsigned(): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    tenant_id: OWNER.tenantId,
    roles: ['tenant_owner'],
    org_ids: [ORG],
    sub: 'forger',
    iss: LOCAL_ISSUER,
    aud: LOCAL_AUDIENCE,
    exp: now + 3600,
  };
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

async function tokenOf(caller: CallerName): Promise<string | undefined> {
  const now = Math.floor(Date.now() / 1000);
  switch (caller) {
    case 'another tenant':
      return runtime.issuer.sign({ tenantId: OTHER_TENANT, roles: ['tenant_owner'], orgIds: [ORG] });
    case 'a token without the org':
      return runtime.issuer.sign({ tenantId: OWNER.tenantId, roles: [], orgIds: ['team-b'] });
    case 'a token without tenant_owner':
      return runtime.issuer.sign({ tenantId: OWNER.tenantId, roles: [], orgIds: [ORG] });
    case 'no token':
      return undefined;
    case 'an expired token':
      return forged({ issuer: LOCAL_ISSUER, expiresAt: now - 60 });
    case 'a token of the wrong issuer':
      return forged({ issuer: 'https://issuer.example.com', expiresAt: now + 3600 });
    case 'a token for another audience':
      // The issuer's own key and name, minted for another of its applications.
      return forged({ issuer: LOCAL_ISSUER, expiresAt: now + 3600, audience: 'another-application' });
    case 'an unsigned token (alg: none)':
      return unsigned();
  }
}

/** A request that a tenant owner of A could make, about A's resources where the route has any. */
interface Probe {
  readonly name: string;
  readonly method: string;
  readonly path: () => string;
  readonly body?: () => unknown;
  /** Whose resource the path names: A's tenant-level or org-level integration, or none. */
  readonly target: 'tenant' | 'org' | 'none';
}

function probesOf(): Probe[] {
  const probes: Probe[] = [];
  // The API's public description holds no tenant's data: nothing to isolate.
  for (const route of API_ROUTES.filter((candidate) => !candidate.public)) {
    const targets: Probe['target'][] = route.path.includes('{id}') ? ['tenant', 'org'] : ['none'];
    for (const target of targets) {
      // Folders and connections: the org-level integration mirrors one account and no OU.
      if (target === 'org' && route.path.includes('{ouId}')) continue;
      probes.push({
        name: `${route.method} ${route.path}${target === 'none' ? '' : ` (${target}-level)`}`,
        method: route.method,
        target,
        path: () => concretePath(route.path, target, route.method),
        body: bodyOf(route.method, route.path),
      });
    }
  }
  return probes;
}

function concretePath(template: string, target: Probe['target'], method: string): string {
  const integration = target === 'org' ? orgLevel : tenantLevel;
  const filled = template
    .replace('{id}', integration?.id ?? '')
    .replace('{ouId}', ouId)
    .replace('{accountId}', target === 'org' ? '444444444444' : accountId)
    .replace('{name}', 'management-account-role')
    .replace('{workspaceId}', 'ws-1');
  if (method === 'DELETE') return `${filled}?confirm=${integration?.handle ?? ''}`;
  return filled;
}

function bodyOf(method: string, template: string): (() => unknown) | undefined {
  if (template === '/v1/aws/test-connection')
    return () => ({ kind: 'organization', roleArn: tenantLevel.roleArn });
  if (template === '/v1/integrations' && method === 'POST') {
    return () => ({
      kind: 'organization',
      roleArn: tenantLevel.roleArn,
      handle: 'stolen',
      scope: { level: 'tenant' },
      regions: ['us-east-1'],
    });
  }
  if (method === 'PATCH') return () => ({ handle: 'renamed_by_someone' });
  return undefined;
}

/**
 * What each caller must get. Another tenant asking about A's resources: 404, never 403. A member
 * of A without tenant_owner: 403 on a tenant-level integration; 404 on an org-level one whose org
 * the token lacks. Routes that name no resource act on the caller's own tenant: they may succeed
 * (as long as A's data stays out of the answer), except where the role is missing.
 */
function expected(probe: Probe, caller: CallerName): number | 'own tenant' | 'allowed' {
  if (UNAUTHENTICATED.has(caller)) return 401;
  if (probe.target === 'tenant') return caller === 'another tenant' ? 404 : 403;
  if (probe.target === 'org') {
    if (caller === 'a token without tenant_owner') return 'allowed';
    return 404;
  }
  // The tenant's External ID (the onboarding routes' default scope) is for tenant owners only.
  const ownerOnly = [
    'GET /v1/aws/onboarding',
    'POST /v1/aws/onboarding/external-id',
    'GET /v1/aws/templates/{name}',
    'POST /v1/aws/test-connection',
    'POST /v1/integrations',
  ];
  if (caller !== 'another tenant' && ownerOnly.includes(probe.name)) return 403;
  return 'own tenant';
}

async function ask(probe: Probe, caller: CallerName): Promise<Answer & { text: string }> {
  const token = await tokenOf(caller);
  const body = probe.body?.();
  const response = await fetch(`${runtime.url}${probe.path()}`, {
    method: probe.method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(probe.method === 'PATCH' ? { 'if-match': '"1"' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    headers: response.headers,
    body: contentType.includes('json') && text ? (JSON.parse(text) as unknown) : text,
    text,
  };
}

const CODES: Record<number, string> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' };

describe('the tenant isolation matrix', () => {
  // Leaves out the one allowed pair, a member of the org reading its org's integration: the
  // flows test what it may do.
  const matrix = probesOf().flatMap((probe) =>
    CALLERS.filter((caller) => expected(probe, caller) !== 'allowed').map(
      (caller) => [probe.name, caller, probe] as const,
    ),
  );

  it('covers every route with every kind of caller', () => {
    const routes = new Set(matrix.map(([name]) => name.replace(/ \(\w+-level\)$/, '')));
    expect(routes.size).toBe(API_ROUTES.filter((route) => !route.public).length);
    const callers = new Set(matrix.map(([, caller]) => caller));
    expect(callers).toEqual(new Set(CALLERS));
  });

  it.each(matrix)('%s, asked by %s: refused or kept to its own tenant', async (_, caller, probe) => {
    const want = expected(probe, caller);
    const before = {
      all: await tableSnapshot(runtime),
      owners: await tableSnapshot(runtime, OWNER.tenantId),
    };

    const answer = await ask(probe, caller);

    if (typeof want === 'number') {
      expect(answer.status).toBe(want);
      expect(errorCode(answer.body)).toBe(CODES[want]);
      // The OpenAPI document names this refusal for this route.
      expect(documentedCodesOf(probe.method, probe.path())).toContain(CODES[want]);
    } else {
      expect(answer.status).toBeLessThan(500);
    }
    const refused = answer.status >= 400;
    // A refusal changes nothing at all; an answer about the caller's own tenant nothing of A's.
    if (refused) expect(await tableSnapshot(runtime)).toBe(before.all);
    else expect(await tableSnapshot(runtime, OWNER.tenantId)).toBe(before.owners);
    // What the caller may not see stays out of the answer: everything of A for a stranger or a
    // refusal, the org-level integration for a member of A outside its org, and from the list,
    // the tenant-level integration for anyone who is not a tenant owner.
    const nonOwner = caller === 'a token without the org' || caller === 'a token without tenant_owner';
    const hidden = [
      ...(refused || caller === 'another tenant' ? secrets : []),
      ...(caller === 'a token without the org' ? [orgLevel.id, '444444444444'] : []),
      ...(nonOwner && probe.name === 'GET /v1/integrations' ? [tenantLevel.id] : []),
    ];
    for (const secret of hidden) expect(answer.text).not.toContain(secret);
    if (nonOwner && probe.name === 'GET /v1/integrations') {
      // The list answered, and with what the caller may see: only the org's own integration.
      const listed = (answer.body as { items: { id: string }[] }).items.map((item) => item.id);
      expect(listed).toEqual(caller === 'a token without tenant_owner' ? [orgLevel.id] : []);
    }
  });
});

describe('the credentials broker', () => {
  async function invoke(payload: unknown): Promise<{ status: number; text: string }> {
    const response = await fetch(`${runtime.url}/2015-03-31/functions/credentials/invocations`, {
      method: 'POST',
      body: JSON.stringify(payload),
    });
    return { status: response.status, text: await response.text() };
  }

  /** A configured consumer asking for a tenant with the platform's assertion for `asserted` (the same tenant by default). */
  const ask = async (tenantId: string, connection: unknown, asserted = tenantId) =>
    invoke({
      tenantId,
      workspaceId: 'ws-1',
      connection,
      consumer: 'query-worker',
      assertion: await runtime.issuer.signAssertion({ tenantId: asserted, workspaceId: 'ws-1' }),
    });

  it.each([
    ["A's tenant-level connection", () => ({ integrationId: tenantLevel.id, accountId })],
    ["A's connection by its handle", () => ({ handle: 'management' })],
  ])(
    "refuses another tenant's assertion asking for %s as ASSERTION_MISMATCH, reading nothing",
    async (_, connection) => {
      const before = await tableSnapshot(runtime);

      const answer = await ask(OWNER.tenantId, connection(), OTHER_TENANT);

      expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'ASSERTION_MISMATCH' } });
      for (const secret of secrets) expect(answer.text).not.toContain(secret);
      expect(await tableSnapshot(runtime)).toBe(before);
    },
  );

  it('refuses a consumer that is not configured before reading anything', async () => {
    const answer = await invoke({
      tenantId: OWNER.tenantId,
      workspaceId: 'ws-1',
      connection: { handle: 'management' },
      consumer: 'isolation-probe',
      assertion: await runtime.issuer.signAssertion({ tenantId: OWNER.tenantId, workspaceId: 'ws-1' }),
    });

    expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'CONSUMER_NOT_ALLOWED' } });
  });

  it.each([
    ["A's tenant-level connection", () => ({ integrationId: tenantLevel.id, accountId })],
    ["A's org-level connection", () => ({ integrationId: orgLevel.id, accountId: '444444444444' })],
    ["A's connection by its handle", () => ({ handle: 'management' })],
  ])(
    'answers another tenant asking for %s as for nothing at all, and changes nothing',
    async (_, connection) => {
      const before = await tableSnapshot(runtime);

      const stolen = await ask(OTHER_TENANT, connection());
      const nothing = await ask(OTHER_TENANT, { integrationId: tenantLevel.id, accountId: '999999999999' });

      expect(stolen.status).toBe(200);
      expect(JSON.parse(stolen.text)).toEqual(JSON.parse(nothing.text));
      expect(JSON.parse(stolen.text)).toMatchObject({ error: { code: 'CONNECTION_NOT_FOUND' } });
      for (const secret of secrets) expect(stolen.text).not.toContain(secret);
      expect(await tableSnapshot(runtime)).toBe(before);
    },
  );

  it("issues A's own shared connection without its External ID in the answer", async () => {
    const answer = await ask(OWNER.tenantId, { integrationId: orgLevel.id, accountId: '444444444444' });

    expect(JSON.parse(answer.text)).toMatchObject({ accountId: '444444444444', cached: false });
    expect(answer.text).not.toContain(secrets[0]);
  });
});

describe('roles are bound to the scope that asked for them', () => {
  const member = { tenantId: OWNER.tenantId, roles: [], orgIds: [ORG] };

  it("refuses a member who registers the tenant's member role in their org: the org's External ID is another", async () => {
    // The member role the owner deployed tenant-wide, as a shared connection shows its ARN.
    const tenantRole = await deployRole(
      accountId,
      'OrgConnectionsReadOnly',
      await externalIdOf(OWNER.tenantId),
    );
    const before = await tableSnapshot(runtime);

    const tenantId = await call(member, 'GET', '/v1/aws/onboarding');
    const orgId = await call(member, 'GET', `/v1/aws/onboarding?scope=org:${ORG}`);
    const stolen = await call(member, 'POST', '/v1/integrations', {
      kind: 'account',
      roleArn: tenantRole,
      handle: 'taken_over',
      scope: { level: 'org', orgId: ORG },
      regions: ['us-east-1'],
      permissions: { share: 'all' },
    });

    expect(tenantId.status).toBe(403);
    expect(orgId.status).toBe(200);
    expect((orgId.body as { externalId: string }).externalId).not.toBe(await externalIdOf(OWNER.tenantId));
    expect(stolen.status).toBe(422);
    expect(errorCode(stolen.body)).toBe('ROLE_NOT_ASSUMABLE');
    expect(await tableSnapshot(runtime)).toBe(before);
  });
});
