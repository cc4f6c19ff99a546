import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { StsSessionIssuer } from '../../lambdas/adapters/aws/sts-session-issuer';
import { fromConnection } from '../../lambdas/credentials/from-connection';
import { parseRoleArn } from '../../lambdas/domain/role-arn';
import { RoleRefusedError } from '../../lambdas/ports/customer-roles';
import type { LocalRuntime } from '../../local/runtime';
import type { Integration } from '../../schemas/api/integrations';
import type { CredentialAnswer, CredentialGrant, CredentialRequestInput } from '../../schemas/credentials';
import type { ConnectionView, SyncRun } from '../../schemas/sync';
import { localApi } from '../fixtures/local-api';
import { startTestRuntime } from '../fixtures/test-runtime';

jest.setTimeout(60_000);

let runtime: LocalRuntime;
let lambda: LambdaClient;
let integration: Integration;
let externalId: string;
const api = localApi(() => runtime);
const tenant = { tenantId: 'broker-flow' };
const MEMBER_ROLE = 'OrgConnectionsReadOnly';
const DEVELOPMENT = 'ou-k3v9-devel0p0';
const SANDBOX = 'ou-k3v9-sandb0x0';
const DEV_ALICE = '210000020260';
const DEV_BOB = '210000021273';
const DEV_DAVE = '210000023299';
/** Its role was deployed from the template before SourceIdentity and session tags. */
const SANDBOX_1 = '210000024312';
/** No role was ever deployed here. */
const SANDBOX_2 = '210000025325';
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

function request(accountId: string, overrides: Partial<CredentialRequestInput> = {}): CredentialRequestInput {
  return {
    tenantId: tenant.tenantId,
    workspaceId: 'ws-1',
    connection: { integrationId: integration.id, accountId },
    consumer: 'query-worker',
    ...overrides,
  };
}

/** The platform's workspace assertion for a request's tenant and workspace, from the local issuer. */
function assertionFor(payload: { readonly tenantId: string; readonly workspaceId: string }): Promise<string> {
  return runtime.issuer.signAssertion({ tenantId: payload.tenantId, workspaceId: payload.workspaceId });
}

/**
 * The same Invoke a platform service makes, against the local runtime, with the assertion the
 * platform signs for the payload's tenant and workspace unless the payload brings its own.
 */
async function invoke(request: CredentialRequestInput): Promise<CredentialAnswer> {
  const payload = 'assertion' in request ? request : { ...request, assertion: await assertionFor(request) };
  return invokeRaw(payload);
}

async function invokeRaw(payload: unknown): Promise<CredentialAnswer> {
  const { Payload } = await lambda.send(
    new InvokeCommand({ FunctionName: 'credentials', Payload: JSON.stringify(payload) }),
  );
  return JSON.parse(new TextDecoder().decode(Payload)) as CredentialAnswer;
}

function granted(answer: CredentialAnswer): CredentialGrant {
  if ('error' in answer) throw new Error(`refused: ${JSON.stringify(answer.error)}`);
  return answer;
}

function codeOf(answer: CredentialAnswer): string {
  return 'error' in answer ? answer.error.code : 'GRANTED';
}

async function patchNode(kind: 'folders' | 'connections', id: string, body: unknown) {
  const path = `/v1/integrations/${integration.id}/${kind}/${id}`;
  const current = await api.call(tenant, 'GET', path);
  const answer = await api.call(tenant, 'PATCH', path, body, {
    'if-match': current.headers.get('etag') ?? '',
  });
  expect(answer.status).toBe(200);
}

beforeAll(async () => {
  runtime = await startTestRuntime();
  lambda = new LambdaClient({ region: 'us-east-1', endpoint: runtime.url, credentials: LOCAL_CREDENTIALS });
  externalId = await api.externalIdOf(tenant.tenantId);
  for (const account of [DEV_ALICE, DEV_BOB, DEV_DAVE])
    await api.deployRole(account, MEMBER_ROLE, externalId);
  const legacy = await api.sandbox('POST', '/roles', {
    accountId: SANDBOX_1,
    roleName: MEMBER_ROLE,
    externalId,
    templateVersion: 1,
  });
  expect(legacy.status).toBe(201);
  integration = await api.createOrganizationIntegration(tenant, { handle: 'brokered' });
  await runtime.settled();
  await patchNode('folders', DEVELOPMENT, { permissions: { share: 'selected', workspaceIds: ['ws-1'] } });
  await patchNode('folders', SANDBOX, { permissions: { share: 'all' } });
  await runtime.settled();
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await runtime?.stop();
});

describe('credentials broker, over the local Invoke API', () => {
  it('issues credentials for a connection in a folder shared with the workspace, and they work', async () => {
    const answer = granted(await invoke(request(DEV_ALICE)));
    const credentials = { ...answer.credentials, expiration: new Date(answer.credentials.expiration) };
    const sts = new STSClient({ region: 'us-east-1', endpoint: `${runtime.url}/local/sts`, credentials });

    const identity = await sts.send(new GetCallerIdentityCommand({}));

    expect(answer).toMatchObject({
      accountId: DEV_ALICE,
      roleArn: `arn:aws:iam::${DEV_ALICE}:role/${MEMBER_ROLE}`,
      connectionHandle: 'dev_alice',
      regions: ['us-east-1'],
      sourceIdentity: true,
    });
    expect(identity).toMatchObject({
      Account: DEV_ALICE,
      Arn: `arn:aws:sts::${DEV_ALICE}:assumed-role/${MEMBER_ROLE}/query-worker@ws-1@broker-flow`,
    });
  });

  it('serves an SDK client through fromConnection, by handle', async () => {
    const credentials = fromConnection({
      tenantId: tenant.tenantId,
      workspaceId: 'ws-1',
      handle: 'dev_alice',
      consumer: 'remediation-worker',
      assertion: () => assertionFor({ tenantId: tenant.tenantId, workspaceId: 'ws-1' }),
      functionName: 'credentials',
      client: lambda,
    });
    const sts = new STSClient({ region: 'us-east-1', endpoint: `${runtime.url}/local/sts`, credentials });

    const identity = await sts.send(new GetCallerIdentityCommand({}));

    expect(identity.Arn).toBe(
      `arn:aws:sts::${DEV_ALICE}:assumed-role/${MEMBER_ROLE}/remediation-worker@ws-1@broker-flow`,
    );
  });

  it("refuses another tenant's assertion as ASSERTION_MISMATCH", async () => {
    const assertion = await assertionFor({ tenantId: 'someone-else', workspaceId: 'ws-1' });

    expect(codeOf(await invoke(request(DEV_ALICE, { assertion })))).toBe('ASSERTION_MISMATCH');
  });

  it('refuses a request without an assertion, and one the local issuer did not sign', async () => {
    const forged = `${(await assertionFor(request(DEV_ALICE))).slice(0, -8)}AAAAAAAA`;

    const missing = await invokeRaw(request(DEV_ALICE));
    const badlySigned = await invoke(request(DEV_ALICE, { assertion: forged }));

    expect(missing).toMatchObject({ error: { code: 'ASSERTION_INVALID', details: { check: 'missing' } } });
    expect(badlySigned).toMatchObject({
      error: { code: 'ASSERTION_INVALID', details: { check: 'signature' } },
    });
  });

  it('answers only the configured consumers, each with its access levels', async () => {
    expect(codeOf(await invoke(request(DEV_ALICE, { consumer: 'scanner' })))).toBe('CONSUMER_NOT_ALLOWED');
    expect(codeOf(await invoke(request(DEV_ALICE, { access: 'write' })))).toBe('ACCESS_LEVEL_NOT_ALLOWED');
  });

  it('refuses a workspace the connection is not shared with', async () => {
    expect(codeOf(await invoke(request(DEV_ALICE, { workspaceId: 'ws-2' })))).toBe('NOT_SHARED');
  });

  it("answers another tenant's connection exactly as one that does not exist", async () => {
    const stranger = await invoke(request(DEV_ALICE, { tenantId: 'someone-else' }));
    const missing = await invoke(request('999999999999'));

    expect(codeOf(stranger)).toBe('CONNECTION_NOT_FOUND');
    expect(stranger).toEqual(missing);
  });

  it('refuses the next request once the connection is un-shared', async () => {
    granted(await invoke(request(DEV_BOB)));

    await patchNode('connections', DEV_BOB, { permissions: { share: 'none' } });

    expect(codeOf(await invoke(request(DEV_BOB)))).toBe('NOT_SHARED');
  });

  it('refuses a closed account', async () => {
    granted(await invoke(request(DEV_DAVE)));

    expect((await api.sandbox('POST', `/accounts/${DEV_DAVE}/close`)).status).toBe(200);
    await runtime.settled();

    expect(codeOf(await invoke(request(DEV_DAVE)))).toBe('CONNECTION_DISABLED');
  });

  it('lets any workspace use what is shared with all, and issues without SourceIdentity for an older role', async () => {
    const answer = granted(await invoke(request(SANDBOX_1, { workspaceId: 'created-later' })));

    expect(answer.sourceIdentity).toBe(false);
  });

  it("answers ROLE_NOT_ASSUMABLE with the health check's hint where no role is deployed", async () => {
    const path = `/v1/integrations/${integration.id}/connections/${SANDBOX_2}`;
    const { health } = (await api.call(tenant, 'GET', path)).body as ConnectionView;

    const answer = await invoke(request(SANDBOX_2));

    expect(answer).toEqual({
      error: expect.objectContaining({ code: 'ROLE_NOT_ASSUMABLE', hint: expect.any(String) }),
    });
    expect(health?.status).toBe('denied');
  });

  it('refuses write access where only the read-only member role exists', async () => {
    const writer = request(DEV_ALICE, { access: 'write', consumer: 'remediation-worker' });

    expect(codeOf(await invoke(writer))).toBe('ACCESS_LEVEL_NOT_AVAILABLE');
  });

  it('refuses a malformed request with the fields named', async () => {
    const answer = await invokeRaw({ ...request(DEV_ALICE), externalId });

    expect(answer).toEqual({
      error: expect.objectContaining({ code: 'VALIDATION_FAILED', details: { issues: expect.any(Array) } }),
    });
  });

  it('answers an unknown function as Lambda does', async () => {
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'no-such-function', Payload: '{}' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('never answers with the External ID', async () => {
    const answers = await Promise.all([
      invoke(request(DEV_ALICE)),
      invoke(request(DEV_ALICE, { workspaceId: 'ws-2' })),
      invoke(request(DEV_ALICE, { access: 'write', consumer: 'remediation-worker' })),
      invoke(request(SANDBOX_2)),
      invoke(request(DEV_DAVE)),
    ]);

    expect(JSON.stringify(answers)).not.toContain(externalId);
  });
});

describe("the account's enabled regions", () => {
  const base = () => `/v1/integrations/${integration.id}`;
  const view = async (accountId: string) =>
    (await api.call(tenant, 'GET', `${base()}/connections/${accountId}`)).body as ConnectionView;
  /** Sets the account's enabled regions; the sandbox sends one opt-in event per region changed. */
  async function enable(accountId: string, regions: string[]) {
    expect((await api.sandbox('PUT', `/accounts/${accountId}/regions`, { enabled: regions })).status).toBe(
      200,
    );
    await runtime.settled();
  }

  beforeAll(async () => {
    const patched = await api.patchCurrent(tenant, base(), { regions: ['us-east-1', 'eu-south-1'] });
    expect(patched.status).toBe(200);
    await runtime.settled();
  });

  it("leaves a region the account has not enabled out of the connection's effective regions and the broker's answer", async () => {
    await enable(DEV_ALICE, ['us-east-1', 'us-west-2']);

    const alice = await view(DEV_ALICE);
    expect(alice).toMatchObject({
      enabledRegions: ['us-east-1', 'us-west-2'],
      effectiveRegions: ['us-east-1'],
      regionsNotEnabled: ['eu-south-1'],
    });
    expect(alice.effective.regions.value).toEqual(['us-east-1', 'eu-south-1']);
    expect(alice.health?.hint).toContain('eu-south-1 is not enabled in this account');
    expect(granted(await invoke(request(DEV_ALICE))).regions).toEqual(['us-east-1']);
  });

  it("brings the region back once the account enables it, from the opt-in's event alone, with one Updated event", async () => {
    const since = runtime.bus.list().length;
    const othersCheckedAt = (await view(SANDBOX_1)).health?.checkedAt;
    await enable(DEV_ALICE, ['eu-south-1', 'us-east-1', 'us-west-2']);

    // The event's run checked that account's role alone.
    const [run] = ((await api.call(tenant, 'GET', `${base()}/runs`)).body as { items: SyncRun[] }).items;
    expect(run?.targets?.regionsChanged).toEqual([DEV_ALICE]);
    expect((await view(SANDBOX_1)).health?.checkedAt).toBe(othersCheckedAt);
    expect(await view(DEV_ALICE)).toMatchObject({
      effectiveRegions: ['us-east-1', 'eu-south-1'],
      regionsNotEnabled: [],
    });
    expect(granted(await invoke(request(DEV_ALICE))).regions).toEqual(['us-east-1', 'eu-south-1']);
    const updates = runtime.bus
      .list(since)
      .filter((event) => event['detail-type'] === 'Connection Updated')
      .map((event) => (event.detail as { connection: ConnectionView }).connection)
      .filter((connection) => connection.id === DEV_ALICE);
    expect(updates.map((connection) => connection.effectiveRegions)).toEqual([['us-east-1', 'eu-south-1']]);
  });

  it('keeps every configured region for a role from before version 5, which may not read them', async () => {
    const legacy = await view(SANDBOX_1);

    expect(legacy).toMatchObject({ enabledRegions: null, effectiveRegions: ['us-east-1', 'eu-south-1'] });
  });
});

describe('the local STS, as the deployed broker reaches it', () => {
  const issuer = () =>
    new StsSessionIssuer(
      new STSClient({
        region: 'us-east-1',
        endpoint: `${runtime.url}/local/sts`,
        credentials: LOCAL_CREDENTIALS,
      }),
    );
  const role = (accountId: string) =>
    parseRoleArn(`arn:aws:iam::${accountId}:role/${MEMBER_ROLE}`, {
      allowedPartitions: ['aws'],
      trustedAccountId: runtime.config.trustedAccountId,
    });

  it('assumes a deployed role with its External ID, and the session is that role', async () => {
    const credentials = await issuer().issueSession({
      role: role(DEV_ALICE),
      externalId,
      sessionName: 'cold-path',
      durationSeconds: 900,
      sourceIdentity: 'query-worker',
      tags: { workspace: 'ws-1' },
    });
    const sts = new STSClient({ region: 'us-east-1', endpoint: `${runtime.url}/local/sts`, credentials });

    const identity = await sts.send(new GetCallerIdentityCommand({}));

    expect(credentials.expiration.getTime()).toBeGreaterThan(Date.now() + 800_000);
    expect(identity.Arn).toBe(`arn:aws:sts::${DEV_ALICE}:assumed-role/${MEMBER_ROLE}/cold-path`);
  });

  it('refuses another External ID as AccessDenied, which the adapter reads as a refusal', async () => {
    const assumed = issuer().issueSession({
      role: role(DEV_ALICE),
      externalId: 'not-the-external-id',
      sessionName: 'cold-path',
      durationSeconds: 900,
    });

    await expect(assumed).rejects.toBeInstanceOf(RoleRefusedError);
  });

  it('refuses an account where no role was deployed', async () => {
    const assumed = issuer().issueSession({
      role: role(SANDBOX_2),
      externalId,
      sessionName: 'cold-path',
      durationSeconds: 900,
    });

    await expect(assumed).rejects.toBeInstanceOf(RoleRefusedError);
  });
});
