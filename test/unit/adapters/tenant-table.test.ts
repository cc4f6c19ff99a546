import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { tenantScope } from '../../../lambdas/adapters/aws/tenant-table';
import { UpstreamThrottledError } from '../../../lambdas/core/errors';

const sts = mockClient(STSClient);
const ROLE_ARN = 'arn:aws:iam::123456789012:role/TenantTableIntegrations';
const HOUR_MS = 3600_000;
const START = Date.parse('2026-11-30T12:00:00Z');

/** The composed "services": the client they were given, so a test can read its credentials. */
const compose = (db: DynamoDBDocumentClient) => ({ db });

function answerSessions() {
  let issued = 0;
  sts.on(AssumeRoleCommand).callsFake(async () => {
    issued += 1;
    return {
      Credentials: {
        AccessKeyId: `ASIA${issued}`,
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date(START + HOUR_MS),
      },
    };
  });
}

function stsError(name: string) {
  return new STSServiceException({ name, $fault: 'client', $metadata: {}, message: name });
}

async function accessKeyOf(services: { db: DynamoDBDocumentClient }) {
  const credentials = services.db.config.credentials;
  return (await credentials()).accessKeyId;
}

beforeEach(() => sts.reset());

describe('tenantScope with a tenant table role', () => {
  it("assumes the role tagged with the tenant, and composes on that session's credentials", async () => {
    answerSessions();
    const scope = tenantScope(compose, { roleArn: ROLE_ARN, sts: new STSClient({}), clock: () => START });

    const services = await scope('acme');

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: ROLE_ARN,
      RoleSessionName: 'tenant-acme',
      DurationSeconds: 3600,
      Tags: [{ Key: 'tenant', Value: 'acme' }],
    });
    expect(await accessKeyOf(services)).toBe('ASIA1');
  });

  it("reuses a tenant's services while its session is fresh", async () => {
    answerSessions();
    let now = START;
    const scope = tenantScope(compose, { roleArn: ROLE_ARN, sts: new STSClient({}), clock: () => now });

    const first = await scope('acme');
    now = START + HOUR_MS - 6 * 60_000;
    const again = await scope('acme');

    expect(again).toBe(first);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
  });

  it('renews the session five minutes before it expires', async () => {
    answerSessions();
    let now = START;
    const scope = tenantScope(compose, { roleArn: ROLE_ARN, sts: new STSClient({}), clock: () => now });

    const first = await scope('acme');
    now = START + HOUR_MS - 4 * 60_000;
    const renewed = await scope('acme');

    expect(renewed).not.toBe(first);
    expect(await accessKeyOf(renewed)).toBe('ASIA2');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('gives each tenant a session of its own, on one shared connection pool', async () => {
    answerSessions();
    const scope = tenantScope(compose, { roleArn: ROLE_ARN, sts: new STSClient({}), clock: () => START });

    const acme = await scope('acme');
    const globex = await scope('globex');

    expect(await accessKeyOf(acme)).toBe('ASIA1');
    expect(await accessKeyOf(globex)).toBe('ASIA2');
    expect(sts).toHaveReceivedNthCommandWith(2, AssumeRoleCommand, {
      RoleSessionName: 'tenant-globex',
      Tags: [{ Key: 'tenant', Value: 'globex' }],
    });
    expect(acme.db.config.requestHandler).toBeDefined();
    expect(globex.db.config.requestHandler).toBe(acme.db.config.requestHandler);
  });

  it("shares one AssumeRole between a tenant's concurrent first requests", async () => {
    answerSessions();
    const scope = tenantScope(compose, { roleArn: ROLE_ARN, sts: new STSClient({}), clock: () => START });

    const [one, two] = await Promise.all([scope('acme'), scope('acme')]);

    expect(two).toBe(one);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
  });

  it('cuts the session name to the 64 characters STS takes, and tags the whole tenant id', async () => {
    answerSessions();
    const tenantId = `t${'x'.repeat(63)}`;
    const scope = tenantScope(compose, { roleArn: ROLE_ARN, sts: new STSClient({}), clock: () => START });

    await scope(tenantId);

    const input = sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input;
    expect(input?.RoleSessionName).toBe(`tenant-${tenantId}`.slice(0, 64));
    expect(input?.RoleSessionName).toHaveLength(64);
    expect(input?.Tags).toEqual([{ Key: 'tenant', Value: tenantId }]);
  });

  it('answers a throttled STS as retryable, and remembers no failed session', async () => {
    sts.on(AssumeRoleCommand).rejectsOnce(stsError('Throttling'));
    const scope = tenantScope(compose, { roleArn: ROLE_ARN, sts: new STSClient({}), clock: () => START });

    await expect(scope('acme')).rejects.toBeInstanceOf(UpstreamThrottledError);
    answerSessions();
    const services = await scope('acme');

    expect(await accessKeyOf(services)).toBe('ASIA1');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('keeps a refusal of our own role as the fault it is, not an outage', async () => {
    const refusal = stsError('AccessDenied');
    sts.on(AssumeRoleCommand).rejects(refusal);
    const scope = tenantScope(compose, { roleArn: ROLE_ARN, sts: new STSClient({}), clock: () => START });

    await expect(scope('acme')).rejects.toBe(refusal);
  });
});

describe('tenantScope without a role (the local runtime)', () => {
  it('composes once on the plain client and gives every tenant those services, without STS', async () => {
    const composed: DynamoDBDocumentClient[] = [];
    const scope = tenantScope(
      (db) => {
        composed.push(db);
        return { db };
      },
      { roleArn: undefined, sts: new STSClient({}) },
    );

    const acme = await scope('acme');
    const globex = await scope('globex');

    expect(globex).toBe(acme);
    expect(composed).toHaveLength(1);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });
});
