import type { webcrypto } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { UpstreamThrottledError } from '../../../lambdas/core/errors';
import { makeAssertionVerifier } from '../../../lambdas/credentials/assertion';
import type {
  ConnectionDirectory,
  ConnectionLocator,
  ConnectionRecord,
  IssuedCredentials,
  SessionIssuerPort,
  SessionRequest,
  StsBudgetPort,
} from '../../../lambdas/credentials/ports';
import { SessionPolicyRejectedError } from '../../../lambdas/credentials/ports';
import {
  type BrokerCaller,
  makeCredentialsBroker,
  sessionNameOf,
} from '../../../lambdas/credentials/service';
import { RoleRefusedError } from '../../../lambdas/ports/customer-roles';
import type { Permissions } from '../../../schemas/api/common';
import type { Integration } from '../../../schemas/api/integrations';
import type {
  ConsumerPolicy,
  CredentialAnswer,
  CredentialGrant,
  CredentialRequestInput,
} from '../../../schemas/credentials';
import type { Connection, MemberHealth } from '../../../schemas/sync';
import { aConnection, anIntegration } from '../../fixtures/records';

const TENANT = 'acme';
const INTEGRATION_ID = '6f1c7a52-2c56-4a55-9f0e-7d1e8f3b2a10';
const ACCOUNT = '210000005065';
const EXTERNAL_ID = 'acme:sEcReT-eXtErNaL-iD';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/OrgConnectionsReadOnly`;
const UNVERIFIED: BrokerCaller = { verified: false };
const NOW = Date.parse('2026-11-30T12:00:00Z');
const PLATFORM_ISSUER = 'https://id.platform.example';
const BROKER_AUDIENCE = 'org-connections-broker';
const CONSUMERS: ConsumerPolicy[] = [
  { name: 'query-worker', access: ['read', 'write'], assertion: 'required' },
  { name: 'scanner', access: ['read', 'write'], assertion: 'required' },
  { name: 'auditor', access: ['read'], assertion: 'required' },
  { name: 'legacy-job', access: ['read'], assertion: 'not-required' },
];

/** The platform's signing key, its JWKS, and assertions it signed for the tenant and workspaces the tests use. */
let platformKey: webcrypto.CryptoKey;
let platformJwks: ReturnType<typeof createLocalJWKSet>;
const PLATFORM_KID = 'platform-2026';
const assertions = new Map<string, string>();

async function signAssertion(
  claims: Record<string, unknown>,
  options: {
    audience?: string;
    lifetimeSeconds?: number;
    issuedAt?: number;
    key?: webcrypto.CryptoKey;
    kid?: string;
  } = {},
): Promise<string> {
  const issuedAt = options.issuedAt ?? Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? PLATFORM_KID })
    .setIssuer(PLATFORM_ISSUER)
    .setAudience(options.audience ?? BROKER_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (options.lifetimeSeconds ?? 900))
    .sign(options.key ?? platformKey);
}

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  platformKey = pair.privateKey;
  platformJwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: PLATFORM_KID }] });
  for (const workspace of ['ws-1', 'ws-2', 'created-tomorrow']) {
    assertions.set(`${TENANT}/${workspace}`, await signAssertion({ tenant: TENANT, workspace }));
  }
  assertions.set('someone-else/ws-1', await signAssertion({ tenant: 'someone-else', workspace: 'ws-1' }));
});

function integrationOf(overrides: Partial<Integration> = {}): Integration {
  return anIntegration({ id: INTEGRATION_ID, externalId: EXTERNAL_ID, ...overrides });
}

function connectionOf(permissions: Permissions, overrides: Partial<Connection> = {}): Connection {
  return aConnection(
    INTEGRATION_ID,
    { permissions, regions: ['eu-west-1', 'us-east-1'] },
    { version: 3, email: 'network@example.com', ...overrides },
  );
}

/** The table as the broker reads it: one tenant's connection, and the read model's entries. */
class MemoryDirectory implements ConnectionDirectory {
  integration = integrationOf();
  connection = connectionOf({ share: 'selected', workspaceIds: ['ws-1'] });
  health: MemberHealth | null = null;
  deleting = false;
  /** Workspace keys the read model files the connection under; null: what the connection says. */
  readModel: string[] | null = null;

  async findByHandle(tenantId: string, handle: string): Promise<ConnectionLocator | null> {
    if (tenantId !== TENANT || handle !== this.connection.handle) return null;
    return { integrationId: INTEGRATION_ID, accountId: ACCOUNT };
  }

  async read(
    tenantId: string,
    locator: ConnectionLocator,
    workspaceId: string,
  ): Promise<ConnectionRecord | null> {
    if (tenantId !== TENANT || locator.integrationId !== INTEGRATION_ID || locator.accountId !== ACCOUNT) {
      return null;
    }
    const permissions = this.connection.effective.permissions.value;
    const filed =
      this.readModel ??
      (permissions.share === 'all'
        ? ['*']
        : permissions.share === 'selected'
          ? permissions.workspaceIds
          : []);
    return {
      integration: this.integration,
      deleting: this.deleting,
      connection: this.connection,
      health: this.health,
      inWorkspaceReadModel: filed.includes(workspaceId) || filed.includes('*'),
    };
  }
}

/** STS: records each request, and answers with the next of `outcomes` (credentials when none is left). */
class RecordingIssuer implements SessionIssuerPort {
  readonly requests: SessionRequest[] = [];
  outcomes: (Error | 'ok')[] = [];
  issued = 0;
  /** Holds each answer back until it resolves: STS taking its time. */
  gate: Promise<void> = Promise.resolve();

  constructor(private readonly clock: () => number) {}

  async issueSession(request: SessionRequest): Promise<IssuedCredentials> {
    this.requests.push(request);
    await this.gate;
    const outcome = this.outcomes.shift() ?? 'ok';
    if (outcome instanceof Error) throw outcome;
    this.issued += 1;
    return {
      accessKeyId: `ASIA${String(this.issued).padStart(16, '0')}`,
      secretAccessKey: `secret-${this.issued}`,
      sessionToken: `token-${this.issued}`,
      expiration: new Date(this.clock() + request.durationSeconds * 1000),
    };
  }
}

let now: number;
let directory: MemoryDirectory;
let issuer: RecordingIssuer;
let refusedBy: { retryAfterSeconds: number } | null;
let taken: number;
let counted: { metric: string; dimensions: Record<string, string> }[];
/** The tenants whose table the broker asked for, in order; a scope that fails with `scopeFails`. */
let scoped: string[];
let scopeFails: Error | null;
let broker: ReturnType<typeof makeCredentialsBroker>;

beforeEach(() => {
  now = NOW;
  directory = new MemoryDirectory();
  issuer = new RecordingIssuer(() => now);
  refusedBy = null;
  taken = 0;
  counted = [];
  const budget: StsBudgetPort = {
    take: async () => {
      taken += 1;
      return refusedBy;
    },
  };
  scoped = [];
  scopeFails = null;
  broker = makeCredentialsBroker({
    consumers: CONSUMERS,
    assertions: makeAssertionVerifier({
      key: platformJwks,
      issuer: PLATFORM_ISSUER,
      audience: BROKER_AUDIENCE,
    }),
    tables: async (tenantId) => {
      scoped.push(tenantId);
      if (scopeFails) throw scopeFails;
      return { directory, budget };
    },
    issuer,
    roleRules: { trustedAccountId: '123456789012', allowedPartitions: ['aws'] },
    metrics: { count: (metric, dimensions) => counted.push({ metric, dimensions }) },
    clock: () => now,
  });
});

/** A request, with the platform's assertion for its tenant and workspace unless it names one. */
function request(overrides: Partial<CredentialRequestInput> = {}): CredentialRequestInput {
  const asked = {
    tenantId: TENANT,
    workspaceId: 'ws-1',
    connection: { integrationId: INTEGRATION_ID, accountId: ACCOUNT },
    consumer: 'query-worker',
    ...overrides,
  };
  const assertion = assertions.get(`${asked.tenantId}/${asked.workspaceId}`);
  if (!('assertion' in overrides) && assertion === undefined) {
    throw new Error(`no assertion signed for ${asked.tenantId}/${asked.workspaceId}`);
  }
  return { assertion, ...asked };
}

/** A health check that let us in and read the role's template version. */
function checkedAt(overrides: Partial<MemberHealth>): MemberHealth {
  return {
    status: 'ok',
    checkedAt: '2026-11-30T11:00:00.000Z',
    code: null,
    hint: null,
    stackInstance: null,
    permissions: null,
    templateVersion: null,
    outdated: null,
    pendingSince: null,
    enabledRegions: null,
    ...overrides,
  };
}

function granted(answer: CredentialAnswer): CredentialGrant {
  if ('error' in answer) throw new Error(`refused: ${JSON.stringify(answer.error)}`);
  return answer;
}

function codeOf(answer: CredentialAnswer): string {
  return 'error' in answer ? answer.error.code : 'GRANTED';
}

describe('credentials broker: sharing', () => {
  it('issues credentials for a connection shared with the workspace, with what a consumer needs to use them', async () => {
    const answer = granted(await broker.answer(request(), UNVERIFIED));

    expect(answer).toEqual({
      credentials: {
        accessKeyId: 'ASIA0000000000000001',
        secretAccessKey: 'secret-1',
        sessionToken: 'token-1',
        expiration: new Date(NOW + 900_000).toISOString(),
      },
      integrationId: INTEGRATION_ID,
      accountId: ACCOUNT,
      roleArn: ROLE_ARN,
      partition: 'aws',
      regions: ['eu-west-1', 'us-east-1'],
      connectionHandle: 'network',
      access: 'read',
      cached: false,
      sourceIdentity: true,
    });
  });

  it("names only the connection's regions that its account has enabled, once a check has read them", async () => {
    directory.health = checkedAt({ enabledRegions: ['us-east-1', 'us-west-2'] });

    expect(granted(await broker.answer(request(), UNVERIFIED)).regions).toEqual(['us-east-1']);
  });

  it('assumes the role with the External ID, the consumer as SourceIdentity, session tags and a derived session name', async () => {
    await broker.answer(request({ durationSeconds: 3600 }), UNVERIFIED);

    expect(issuer.requests).toEqual([
      {
        role: expect.objectContaining({ arn: ROLE_ARN, accountId: ACCOUNT }),
        externalId: EXTERNAL_ID,
        sessionName: 'query-worker@ws-1@acme',
        durationSeconds: 3600,
        sourceIdentity: 'query-worker',
        tags: { tenant: TENANT, workspace: 'ws-1', consumer: 'query-worker' },
      },
    ]);
  });

  it('refuses a workspace the connection is not shared with, without calling STS', async () => {
    const answer = await broker.answer(request({ workspaceId: 'ws-2' }), UNVERIFIED);

    expect(codeOf(answer)).toBe('NOT_SHARED');
    expect(issuer.requests).toEqual([]);
  });

  it('lets any workspace in when the connection is shared with all, including one never seen before', async () => {
    directory.connection = connectionOf({ share: 'all' });

    const answer = await broker.answer(request({ workspaceId: 'created-tomorrow' }), UNVERIFIED);

    expect(granted(answer).accountId).toBe(ACCOUNT);
  });

  it('refuses a share the read model does not hold yet, as the workspace list would not show it', async () => {
    directory.readModel = [];

    expect(codeOf(await broker.answer(request(), UNVERIFIED))).toBe('NOT_SHARED');
  });

  it('refuses the next request after an un-share, even with a session in its cache', async () => {
    granted(await broker.answer(request(), UNVERIFIED));
    directory.connection = connectionOf({ share: 'none' });

    expect(codeOf(await broker.answer(request(), UNVERIFIED))).toBe('NOT_SHARED');
    expect(issuer.requests).toHaveLength(1);
  });

  it('refuses a connection held for approval, even shared with all and in the read model', async () => {
    directory.connection = connectionOf({ share: 'all' }, { held: true });

    const answer = await broker.answer(request(), UNVERIFIED);

    expect(codeOf(answer)).toBe('NOT_SHARED');
    expect(answer).toMatchObject({ error: { message: 'This connection is held for approval.' } });
    expect(issuer.requests).toEqual([]);
  });

  it('answers CONNECTION_NOT_FOUND for another tenant exactly as for a connection that does not exist', async () => {
    const otherTenant = await broker.answer(request({ tenantId: 'someone-else' }), UNVERIFIED);
    const missing = await broker.answer(
      request({ connection: { integrationId: INTEGRATION_ID, accountId: '999999999999' } }),
      UNVERIFIED,
    );

    expect(codeOf(otherTenant)).toBe('CONNECTION_NOT_FOUND');
    expect(otherTenant).toEqual(missing);
  });

  it('finds a connection by its handle, and not by a handle it does not hold', async () => {
    const byHandle = await broker.answer(request({ connection: { handle: 'network' } }), UNVERIFIED);
    const unknown = await broker.answer(request({ connection: { handle: 'nobody' } }), UNVERIFIED);

    expect(granted(byHandle).integrationId).toBe(INTEGRATION_ID);
    expect(codeOf(unknown)).toBe('CONNECTION_NOT_FOUND');
  });
});

describe('credentials broker: what may be used', () => {
  it.each(['SUSPENDED', 'PENDING_CLOSURE', 'CLOSED'] as const)('refuses a %s account', async (state) => {
    directory.connection = connectionOf({ share: 'all' }, { state, disabled: state !== 'CLOSED' });

    expect(codeOf(await broker.answer(request(), UNVERIFIED))).toBe('CONNECTION_DISABLED');
    expect(issuer.requests).toEqual([]);
  });

  it('refuses a connection whose integration is being deleted', async () => {
    directory.deleting = true;

    expect(codeOf(await broker.answer(request(), UNVERIFIED))).toBe('CONNECTION_DISABLED');
  });

  it("tells an unshared workspace nothing of the account's state", async () => {
    directory.connection = connectionOf({ share: 'none' }, { state: 'SUSPENDED', disabled: true });

    expect(codeOf(await broker.answer(request(), UNVERIFIED))).toBe('NOT_SHARED');
  });

  it("refuses write on an organization's connection when no full member role is named", async () => {
    const answer = await broker.answer(request({ access: 'write' }), UNVERIFIED);

    expect(codeOf(answer)).toBe('ACCESS_LEVEL_NOT_AVAILABLE');
    expect(issuer.requests).toEqual([]);
  });

  it("writes with the organization's full member role in the connection's account", async () => {
    directory.integration = integrationOf({ fullMemberRoleName: 'OrgConnectionsPowerUser' });

    const answer = granted(await broker.answer(request({ access: 'write' }), UNVERIFIED));

    expect(answer.roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/OrgConnectionsPowerUser`);
    expect(answer.access).toBe('write');
  });

  it("reads with an account integration's read-only role and writes with its main role", async () => {
    directory.integration = integrationOf({
      kind: 'account',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/Do`,
      readOnlyRoleArn: `arn:aws:iam::${ACCOUNT}:role/Ask`,
      memberRoleName: null,
    });

    const read = granted(await broker.answer(request(), UNVERIFIED));
    const write = granted(await broker.answer(request({ access: 'write' }), UNVERIFIED));

    expect([read.roleArn, write.roleArn]).toEqual([
      `arn:aws:iam::${ACCOUNT}:role/Ask`,
      `arn:aws:iam::${ACCOUNT}:role/Do`,
    ]);
  });

  it('passes the session policy on as JSON, and keeps sessions of different policies apart', async () => {
    const policy = {
      Version: '2012-10-17' as const,
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
    };

    await broker.answer(request({ sessionPolicy: policy }), UNVERIFIED);
    await broker.answer(request(), UNVERIFIED);

    expect(issuer.requests.map((sent) => sent.policy)).toEqual([JSON.stringify(policy), undefined]);
  });
});

describe('credentials broker: the role', () => {
  it("answers ROLE_NOT_ASSUMABLE with the connection's health hint", async () => {
    issuer.outcomes = [new RoleRefusedError('no'), new RoleRefusedError('no')];
    directory.health = {
      status: 'not_deployed',
      checkedAt: '2026-11-30T11:00:00.000Z',
      code: 'MEMBER_ROLE_NOT_DEPLOYED',
      hint: 'The StackSet has no instance in this account.',
      stackInstance: null,
      permissions: null,
      templateVersion: null,
      outdated: null,
      pendingSince: null,
      enabledRegions: null,
    };

    const answer = await broker.answer(request(), UNVERIFIED);

    expect(answer).toEqual({
      error: {
        code: 'ROLE_NOT_ASSUMABLE',
        message: expect.any(String),
        hint: 'The StackSet has no instance in this account.',
      },
    });
  });

  it('names the account and the re-check when no health check has said more', async () => {
    issuer.outcomes = [new RoleRefusedError('no'), new RoleRefusedError('no')];

    const answer = await broker.answer(request(), UNVERIFIED);

    expect('error' in answer && answer.error.hint).toContain(`account ${ACCOUNT}`);
    expect('error' in answer && answer.error.hint).toContain(`/v1/integrations/${INTEGRATION_ID}/test`);
  });

  it('retries once without SourceIdentity and tags for a role its health check found older than them, and says so', async () => {
    directory.health = checkedAt({ templateVersion: 1 });
    issuer.outcomes = [new RoleRefusedError('sts:TagSession not allowed')];

    const answer = granted(await broker.answer(request(), UNVERIFIED));

    expect(answer.sourceIdentity).toBe(false);
    expect(issuer.requests).toHaveLength(2);
    expect(issuer.requests[1]).not.toHaveProperty('sourceIdentity');
    expect(issuer.requests[1]).not.toHaveProperty('tags');
    expect(issuer.requests[1]?.externalId).toBe(EXTERNAL_ID);
  });

  it.each([
    ['a current template', 4],
    ['a template of unknown version', null],
  ])(
    'keeps a refusal of SourceIdentity by a role of %s a refusal, as a Deny of the customer',
    async (_, version) => {
      directory.health = checkedAt({ templateVersion: version });
      issuer.outcomes = [new RoleRefusedError('explicit deny on sts:SourceIdentity')];

      const answer = await broker.answer(request(), UNVERIFIED);

      expect(codeOf(answer)).toBe('ROLE_NOT_ASSUMABLE');
      expect(issuer.requests).toHaveLength(1);
      expect(issuer.requests[0]?.sourceIdentity).toBe('query-worker');
    },
  );

  it("does not take the member role's health for another role's: write with a full role that refuses stays refused", async () => {
    directory.health = checkedAt({ templateVersion: 1 });
    directory.connection = connectionOf({ share: 'all' });
    directory.integration = integrationOf({ fullMemberRoleName: 'OrgConnectionsPowerUser' });
    issuer.outcomes = [new RoleRefusedError('explicit deny on sts:SourceIdentity')];

    const answer = await broker.answer(request({ access: 'write' }), UNVERIFIED);

    expect(codeOf(answer)).toBe('ROLE_NOT_ASSUMABLE');
    expect(issuer.requests).toHaveLength(1);
  });

  it('remembers an older role per consumer for an hour, then tries SourceIdentity and tags again', async () => {
    directory.health = checkedAt({ templateVersion: 1 });
    directory.connection = connectionOf({ share: 'all' });
    const refused = () => new RoleRefusedError('sts:TagSession not allowed');
    issuer.outcomes = [refused(), 'ok', refused()];
    await broker.answer(request(), UNVERIFIED);

    const otherConsumer = granted(await broker.answer(request({ consumer: 'scanner' }), UNVERIFIED));
    const sameConsumer = granted(await broker.answer(request({ workspaceId: 'ws-2' }), UNVERIFIED));
    now = NOW + 3_600_000;
    const anHourOn = granted(await broker.answer(request({ consumer: 'auditor' }), UNVERIFIED));

    expect([otherConsumer.sourceIdentity, sameConsumer.sourceIdentity, anHourOn.sourceIdentity]).toEqual([
      false,
      false,
      true,
    ]);
    expect(issuer.requests.map((sent) => sent.sourceIdentity ?? null)).toEqual([
      'query-worker',
      null,
      'scanner',
      null,
      null,
      'auditor',
    ]);
  });

  it('caches a session issued without SourceIdentity as such', async () => {
    directory.health = checkedAt({ templateVersion: 1 });
    issuer.outcomes = [new RoleRefusedError('sts:TagSession not allowed')];
    await broker.answer(request(), UNVERIFIED);

    const again = granted(await broker.answer(request(), UNVERIFIED));

    expect(again).toMatchObject({ cached: true, sourceIdentity: false });
  });

  it("passes STS's throttling on with a wait", async () => {
    issuer.outcomes = [new UpstreamThrottledError('AWS STS', undefined, 2)];

    const answer = await broker.answer(request(), UNVERIFIED);

    expect(answer).toEqual({
      error: expect.objectContaining({ code: 'UPSTREAM_THROTTLED', retryAfterSeconds: 2 }),
    });
  });

  it('refuses a session policy STS would not take as invalid input', async () => {
    issuer.outcomes = [new SessionPolicyRejectedError('too large')];

    expect(codeOf(await broker.answer(request(), UNVERIFIED))).toBe('VALIDATION_FAILED');
  });

  it('says nothing of an unexpected failure but its code', async () => {
    issuer.outcomes = [new Error(`arn:aws:iam::123456789012:role/internal ${EXTERNAL_ID}`)];

    const answer = await broker.answer(request(), UNVERIFIED);

    expect(answer).toEqual({
      error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side.' },
    });
  });
});

describe('credentials broker: the cache', () => {
  it('hands out the same session again without calling STS', async () => {
    const first = granted(await broker.answer(request(), UNVERIFIED));
    const second = granted(await broker.answer(request(), UNVERIFIED));

    expect(second).toEqual({ ...first, cached: true });
    expect(issuer.requests).toHaveLength(1);
  });

  it('keeps one session per consumer, workspace and access level', async () => {
    directory.connection = connectionOf({ share: 'all' });
    directory.integration = integrationOf({ fullMemberRoleName: 'OrgConnectionsPowerUser' });

    await broker.answer(request(), UNVERIFIED);
    await broker.answer(request({ consumer: 'scanner' }), UNVERIFIED);
    await broker.answer(request({ workspaceId: 'ws-2' }), UNVERIFIED);
    await broker.answer(request({ access: 'write' }), UNVERIFIED);
    await broker.answer(request({ consumer: 'scanner' }), UNVERIFIED);

    expect(issuer.requests).toHaveLength(4);
  });

  it('renews a session five minutes before it expires, not earlier', async () => {
    await broker.answer(request(), UNVERIFIED);

    now = NOW + 599_000; // 5 min 1 s before the 15-minute session ends
    const stillCached = granted(await broker.answer(request(), UNVERIFIED));
    now = NOW + 600_000; // 5 minutes before
    const renewed = granted(await broker.answer(request(), UNVERIFIED));

    expect(stillCached.cached).toBe(true);
    expect(renewed.cached).toBe(false);
    expect(renewed.credentials.accessKeyId).not.toBe(stillCached.credentials.accessKeyId);
    expect(issuer.requests).toHaveLength(2);
  });

  it('lets concurrent requests for one key share one AssumeRole, none of them answered as cached', async () => {
    let release = () => {};
    issuer.gate = new Promise((resolve) => {
      release = resolve;
    });
    const answering = Promise.all([1, 2, 3].map(() => broker.answer(request(), UNVERIFIED)));
    while (issuer.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    const answers = await answering;

    expect(issuer.requests).toHaveLength(1);
    expect(new Set(answers.map((answer) => granted(answer).credentials.accessKeyId)).size).toBe(1);
    expect(answers.map((answer) => granted(answer).cached)).toEqual([false, false, false]);
  });

  it('never hands a request for a longer session the remains of a shorter one', async () => {
    await broker.answer(request({ durationSeconds: 900 }), UNVERIFIED);

    const longer = granted(await broker.answer(request({ durationSeconds: 3600 }), UNVERIFIED));

    expect(longer).toMatchObject({
      cached: false,
      credentials: { expiration: new Date(NOW + 3_600_000).toISOString() },
    });
    expect(issuer.requests.map((sent) => sent.durationSeconds)).toEqual([900, 3600]);
  });

  it('never keeps a session another integration or External ID could reuse', async () => {
    await broker.answer(request(), UNVERIFIED);
    directory.integration = integrationOf({ externalId: 'acme:rotated-and-re-registered' });

    await broker.answer(request(), UNVERIFIED);

    expect(issuer.requests.map((sent) => sent.externalId)).toEqual([
      EXTERNAL_ID,
      'acme:rotated-and-re-registered',
    ]);
  });
});

/** A JWT's segment: JSON, base64url-encoded. */
function segment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('credentials broker: workspace assertions', () => {
  const seconds = () => Math.floor(Date.now() / 1000);
  const forWs1 = { tenant: TENANT, workspace: 'ws-1' };

  it.each<[string, () => Promise<string | undefined>, string]>([
    ['no assertion', async () => undefined, 'missing'],
    ['an assertion that is not a JWT', async () => 'not.a-jwt', 'malformed'],
    [
      'an unsigned assertion (alg none)',
      async () =>
        `${segment({ alg: 'none' })}.${segment({ ...forWs1, iss: PLATFORM_ISSUER, aud: BROKER_AUDIENCE, iat: seconds(), exp: seconds() + 600 })}.`,
      'algorithm',
    ],
    [
      'an assertion signed with a shared secret (HS256)',
      async () =>
        new SignJWT(forWs1)
          .setProtectedHeader({ alg: 'HS256', kid: PLATFORM_KID })
          .setIssuer(PLATFORM_ISSUER)
          .setAudience(BROKER_AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(new TextEncoder().encode('a-secret-anyone-could-share-32-bytes!')),
      'algorithm',
    ],
    [
      'an assertion signed by a key that is not in the JWKS',
      async () => signAssertion(forWs1, { key: (await generateKeyPair('ES256')).privateKey, kid: 'stolen' }),
      'key',
    ],
    [
      "an assertion whose signature is not the key's",
      async () => signAssertion(forWs1, { key: (await generateKeyPair('ES256')).privateKey }),
      'signature',
    ],
    [
      'an expired assertion',
      async () => signAssertion(forWs1, { issuedAt: seconds() - 1000, lifetimeSeconds: 900 }),
      'expired',
    ],
    [
      'an assertion valid only in the future (nbf)',
      async () =>
        new SignJWT(forWs1)
          .setProtectedHeader({ alg: 'ES256', kid: PLATFORM_KID })
          .setIssuer(PLATFORM_ISSUER)
          .setAudience(BROKER_AUDIENCE)
          .setIssuedAt()
          .setNotBefore(seconds() + 600)
          .setExpirationTime('20m')
          .sign(platformKey),
      'not-yet-valid',
    ],
    [
      'an assertion for another audience',
      async () => signAssertion(forWs1, { audience: 'aws-org-connections-api' }),
      'audience',
    ],
    [
      'an assertion living longer than an hour',
      async () => signAssertion(forWs1, { lifetimeSeconds: 3601 }),
      'lifetime',
    ],
    ['an assertion without a workspace', async () => signAssertion({ tenant: TENANT }), 'claims'],
  ])(
    'refuses %s as ASSERTION_INVALID naming the check, before any read or STS call',
    async (_, mint, check) => {
      const assertion = await mint();

      const answer = await broker.answer(request({ assertion }), UNVERIFIED);

      expect(answer).toEqual({
        error: {
          code: 'ASSERTION_INVALID',
          message: expect.stringContaining(check),
          hint: expect.any(String),
          details: { check },
        },
      });
      expect(scoped).toEqual([]);
      expect(issuer.requests).toEqual([]);
    },
  );

  it("refuses another tenant's assertion as ASSERTION_MISMATCH, reading nothing of either tenant", async () => {
    const answer = await broker.answer(
      request({ assertion: assertions.get('someone-else/ws-1') }),
      UNVERIFIED,
    );

    expect(codeOf(answer)).toBe('ASSERTION_MISMATCH');
    expect(scoped).toEqual([]);
    expect(issuer.requests).toEqual([]);
  });

  it("refuses another workspace's assertion as ASSERTION_MISMATCH, even for a connection shared with all", async () => {
    directory.connection = connectionOf({ share: 'all' });

    const answer = await broker.answer(
      request({ workspaceId: 'ws-2', assertion: assertions.get(`${TENANT}/ws-1`) }),
      UNVERIFIED,
    );

    expect(codeOf(answer)).toBe('ASSERTION_MISMATCH');
    expect(scoped).toEqual([]);
  });

  it('refuses a 100 KB assertion as VALIDATION_FAILED', async () => {
    const answer = await broker.answer(request({ assertion: 'e'.repeat(100 * 1024) }), UNVERIFIED);

    expect(codeOf(answer)).toBe('VALIDATION_FAILED');
    expect(issuer.requests).toEqual([]);
  });

  it('tags the session with the tenant and workspace the assertion names', async () => {
    await broker.answer(request({ workspaceId: 'ws-2', connection: { handle: 'network' } }), UNVERIFIED);

    expect(issuer.requests).toEqual([]);
    directory.connection = connectionOf({ share: 'all' });
    await broker.answer(request({ workspaceId: 'ws-2' }), UNVERIFIED);

    expect(issuer.requests[0]?.tags).toEqual({ tenant: TENANT, workspace: 'ws-2', consumer: 'query-worker' });
  });

  it('takes a consumer configured without assertions at its word', async () => {
    const answer = await broker.answer(request({ consumer: 'legacy-job', assertion: undefined }), UNVERIFIED);

    expect(codeOf(answer)).toBe('GRANTED');
    expect(issuer.requests[0]?.tags).toEqual({ tenant: TENANT, workspace: 'ws-1', consumer: 'legacy-job' });
  });
});

describe('credentials broker: consumers and their access levels', () => {
  it('answers a consumer that is not configured CONSUMER_NOT_ALLOWED, before any read', async () => {
    const answer = await broker.answer(request({ consumer: 'isolation-probe' }), UNVERIFIED);

    expect(codeOf(answer)).toBe('CONSUMER_NOT_ALLOWED');
    expect(scoped).toEqual([]);
  });

  it('refuses an access level the consumer may not ask for as ACCESS_LEVEL_NOT_ALLOWED, before any read', async () => {
    directory.integration = integrationOf({ fullMemberRoleName: 'OrgConnectionsPowerUser' });

    const answer = await broker.answer(request({ consumer: 'auditor', access: 'write' }), UNVERIFIED);

    expect(codeOf(answer)).toBe('ACCESS_LEVEL_NOT_ALLOWED');
    expect(scoped).toEqual([]);
    expect(issuer.requests).toEqual([]);
  });

  it('refuses to start with a consumer that needs assertions and no issuer to check them', () => {
    expect(() =>
      makeCredentialsBroker({
        consumers: CONSUMERS,
        assertions: null,
        tables: async () => ({ directory, budget: { take: async () => null } }),
        issuer,
        roleRules: { trustedAccountId: '123456789012', allowedPartitions: ['aws'] },
        metrics: { count: () => undefined },
      }),
    ).toThrow(/assertion/);
  });
});

describe('credentials broker: the table, as the tenant of the request', () => {
  it('reads the connection and spends the budget only through the tables of the tenant the request names', async () => {
    const answer = await broker.answer(request(), UNVERIFIED);

    expect('credentials' in answer).toBe(true);
    expect(scoped).toEqual([TENANT]);
    expect(taken).toBe(1);
  });

  it('asks for no table before the caller is proven to be the consumer it names', async () => {
    const answer = await broker.answer(request(), { verified: true, consumer: 'scanner' });

    expect(codeOf(answer)).toBe('CONSUMER_NOT_ALLOWED');
    expect(scoped).toEqual([]);
  });

  it('answers a throttled tenant session retryably, and calls no customer role', async () => {
    scopeFails = new UpstreamThrottledError('AWS STS', undefined, 2);

    const answer = await broker.answer(request(), UNVERIFIED);

    expect(answer).toEqual({
      error: expect.objectContaining({ code: 'UPSTREAM_THROTTLED', retryAfterSeconds: 2 }),
    });
    expect(issuer.requests).toEqual([]);
  });
});

describe('credentials broker: the per-tenant STS budget', () => {
  it('answers UPSTREAM_THROTTLED with the wait when the tenant has spent its share, without calling STS', async () => {
    refusedBy = { retryAfterSeconds: 3 };

    const answer = await broker.answer(request(), UNVERIFIED);

    expect(answer).toEqual({
      error: {
        code: 'UPSTREAM_THROTTLED',
        message: expect.stringContaining('STS quota'),
        hint: expect.any(String),
        retryAfterSeconds: 3,
      },
    });
    expect(issuer.requests).toEqual([]);
  });

  it('spends nothing on a cached session, and one call per AssumeRole', async () => {
    issuer.outcomes = [new RoleRefusedError('older template')];
    await broker.answer(request(), UNVERIFIED);
    await broker.answer(request(), UNVERIFIED);

    expect(taken).toBe(2);
    expect(issuer.requests).toHaveLength(2);
  });
});

describe('credentials broker: the request', () => {
  it.each([
    ['an unknown field', { externalId: 'acme:mine' }],
    ['a duration below 900 s', { durationSeconds: 899 }],
    ['a duration above an hour', { durationSeconds: 3601 }],
    ['an access level that does not exist', { access: 'admin' }],
    ['a consumer name STS would refuse', { consumer: 'Query Worker' }],
    ['both kinds of connection reference', { connection: { handle: 'network', accountId: ACCOUNT } }],
    ['a session policy without statements', { sessionPolicy: { Version: '2012-10-17', Statement: [] } }],
  ])('refuses %s as VALIDATION_FAILED with the field named', async (_, change) => {
    const answer = await broker.answer({ ...request(), ...change }, UNVERIFIED);

    expect(codeOf(answer)).toBe('VALIDATION_FAILED');
    expect('error' in answer && answer.error.details).toEqual({
      issues: expect.arrayContaining([expect.objectContaining({ field: expect.any(String) })]),
    });
    expect(issuer.requests).toEqual([]);
  });

  it('refuses a session policy over 2,048 characters', async () => {
    const statement = {
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${'b'.repeat(2100)}/*`,
    };

    const answer = await broker.answer(request({ sessionPolicy: { Statement: [statement] } }), UNVERIFIED);

    expect(codeOf(answer)).toBe('VALIDATION_FAILED');
  });

  it('lets a proven caller ask only as itself', async () => {
    const asItself = await broker.answer(request(), { verified: true, consumer: 'query-worker' });
    const asAnother = await broker.answer(request({ consumer: 'scanner' }), {
      verified: true,
      consumer: 'query-worker',
    });
    const unknownAlias = await broker.answer(request(), { verified: true, consumer: null });

    expect(codeOf(asItself)).toBe('GRANTED');
    expect(codeOf(asAnother)).toBe('CONSUMER_NOT_ALLOWED');
    expect(codeOf(unknownAlias)).toBe('CONSUMER_NOT_ALLOWED');
  });
});

describe('credentials broker: what it tells', () => {
  it('counts every issue and every refusal once, with its code', async () => {
    await broker.answer(request(), UNVERIFIED);
    await broker.answer(request(), UNVERIFIED);
    await broker.answer(request({ workspaceId: 'ws-2' }), UNVERIFIED);
    await broker.answer({ nonsense: true }, UNVERIFIED);

    expect(counted).toEqual([
      { metric: 'CredentialsIssued', dimensions: { cached: 'false' } },
      { metric: 'CredentialsIssued', dimensions: { cached: 'true' } },
      { metric: 'CredentialsRefused', dimensions: { code: 'NOT_SHARED' } },
      { metric: 'CredentialsRefused', dimensions: { code: 'VALIDATION_FAILED' } },
    ]);
  });

  it('never answers with the External ID', async () => {
    issuer.outcomes = [new RoleRefusedError(EXTERNAL_ID)];
    const answers = [
      await broker.answer(request(), UNVERIFIED),
      await broker.answer(request(), UNVERIFIED),
      await broker.answer(request({ workspaceId: 'ws-2' }), UNVERIFIED),
      await broker.answer(request({ access: 'write' }), UNVERIFIED),
    ];

    expect(answers.map(codeOf)).toEqual([
      'ROLE_NOT_ASSUMABLE',
      'GRANTED',
      'NOT_SHARED',
      'ACCESS_LEVEL_NOT_AVAILABLE',
    ]);
    expect(JSON.stringify(answers)).not.toContain(EXTERNAL_ID);
  });
});

describe('session names', () => {
  it('fit STS: at most 64 of [\\w+=,.@-], and long ones stay apart', () => {
    const long = (workspace: string) =>
      sessionNameOf('a-very-long-consumer-name', workspace, 'a-tenant-with-a-long-id-too');
    const names = [long(`workspace-${'x'.repeat(40)}-1`), long(`workspace-${'x'.repeat(40)}-2`)];

    for (const name of names) expect(name).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(names[0]).not.toBe(names[1]);
  });
});
