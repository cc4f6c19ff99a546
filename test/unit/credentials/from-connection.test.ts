import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Uint8ArrayBlobAdapter } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { ConnectionCredentialsError, fromConnection } from '../../../lambdas/credentials/from-connection';

const lambda = mockClient(LambdaClient);
const NOW = Date.parse('2026-11-30T12:00:00Z');

function answer(body: unknown) {
  return { StatusCode: 200, Payload: Uint8ArrayBlobAdapter.fromString(JSON.stringify(body)) };
}

function grant(accessKeyId: string, expiresInMs: number) {
  return answer({
    credentials: {
      accessKeyId,
      secretAccessKey: 'secret',
      sessionToken: 'token',
      expiration: new Date(NOW + expiresInMs).toISOString(),
    },
    integrationId: '6f1c7a52-2c56-4a55-9f0e-7d1e8f3b2a10',
    accountId: '210000005065',
    roleArn: 'arn:aws:iam::210000005065:role/OrgConnectionsReadOnly',
    partition: 'aws',
    regions: ['us-east-1'],
    connectionHandle: 'network',
    access: 'read',
    cached: false,
    sourceIdentity: true,
  });
}

let now: number;
/** The assertions the platform's signer handed out, in order. */
let minted: string[];
const provider = () =>
  fromConnection(
    {
      tenantId: 'acme',
      workspaceId: 'ws-1',
      handle: 'network',
      consumer: 'query-worker',
      assertion: async () => {
        minted.push(`assertion-${minted.length + 1}`);
        return minted[minted.length - 1] ?? '';
      },
      functionName: 'arn:aws:lambda:us-east-1:123456789012:function:broker',
      client: new LambdaClient({ region: 'us-east-1' }),
    },
    () => now,
  );

beforeEach(() => {
  lambda.reset();
  now = NOW;
  minted = [];
});

function payloadOf(call: number): unknown {
  const input = lambda.commandCalls(InvokeCommand)[call]?.args[0].input;
  return JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array));
}

describe('fromConnection', () => {
  it("invokes the broker through the consumer's alias with the request, and returns SDK credentials", async () => {
    lambda.on(InvokeCommand).resolves(grant('ASIA1', 3_600_000));

    const credentials = await provider()();

    expect(credentials).toEqual({
      accessKeyId: 'ASIA1',
      secretAccessKey: 'secret',
      sessionToken: 'token',
      expiration: new Date(NOW + 3_600_000),
    });
    const input = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:broker',
      Qualifier: 'query-worker',
    });
    expect(payloadOf(0)).toEqual({
      tenantId: 'acme',
      workspaceId: 'ws-1',
      connection: { handle: 'network' },
      consumer: 'query-worker',
      assertion: 'assertion-1',
    });
  });

  it('gets a fresh assertion for each invocation, and none for credentials it reuses', async () => {
    lambda.on(InvokeCommand).resolvesOnce(grant('ASIA1', 900_000)).resolvesOnce(grant('ASIA2', 900_000));
    const credentials = provider();

    await credentials();
    await credentials();
    now = NOW + 600_000;
    await credentials();

    expect(minted).toEqual(['assertion-1', 'assertion-2']);
    expect([payloadOf(0), payloadOf(1)]).toEqual([
      expect.objectContaining({ assertion: 'assertion-1' }),
      expect.objectContaining({ assertion: 'assertion-2' }),
    ]);
  });

  it('reuses the credentials until five minutes before they expire, then invokes again', async () => {
    lambda.on(InvokeCommand).resolvesOnce(grant('ASIA1', 900_000)).resolvesOnce(grant('ASIA2', 900_000));
    const credentials = provider();

    const first = await credentials();
    now = NOW + 599_000;
    const reused = await credentials();
    now = NOW + 600_000;
    const renewed = await credentials();

    expect([first.accessKeyId, reused.accessKeyId, renewed.accessKeyId]).toEqual(['ASIA1', 'ASIA1', 'ASIA2']);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 2);
  });

  it('shares one invocation among concurrent callers', async () => {
    lambda.on(InvokeCommand).resolves(grant('ASIA1', 900_000));
    const credentials = provider();

    await Promise.all([credentials(), credentials(), credentials()]);

    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
  });

  it("throws the broker's refusal as a typed error with its code, hint and wait", async () => {
    lambda.on(InvokeCommand).resolves(
      answer({
        error: { code: 'UPSTREAM_THROTTLED', message: 'slow down', hint: 'wait', retryAfterSeconds: 3 },
      }),
    );

    const failure = await provider()().catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ConnectionCredentialsError);
    expect(failure).toMatchObject({ code: 'UPSTREAM_THROTTLED', hint: 'wait', retryAfterSeconds: 3 });
  });

  it('asks again after a refusal, rather than remembering it', async () => {
    lambda
      .on(InvokeCommand)
      .resolvesOnce(answer({ error: { code: 'NOT_SHARED', message: 'no' } }))
      .resolvesOnce(grant('ASIA1', 900_000));
    const credentials = provider();

    await expect(credentials()).rejects.toMatchObject({ code: 'NOT_SHARED' });
    await expect(credentials()).resolves.toMatchObject({ accessKeyId: 'ASIA1' });
  });

  it('reports a failed function as INTERNAL_ERROR', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled' });

    await expect(provider()()).rejects.toMatchObject({ code: 'INTERNAL_ERROR' });
  });
});
