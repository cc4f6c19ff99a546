import { request as httpRequest } from 'node:http';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { DEFAULT_LOCAL_CONFIG } from '../../local/config';
import { localDynamoDbClient } from '../../local/dynamodb-local';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../local/jwt-issuer';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../fixtures/test-runtime';

let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startTestRuntime();
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
});

function get(pathname: string, headers: Record<string, string> = {}) {
  return fetch(`${runtime.url}${pathname}`, { headers });
}

interface ErrorBody {
  error: { code: string; requestId: string };
}

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

function bearer(token: string) {
  return { authorization: `Bearer ${token}` };
}

/** A GET with the Host header a browser sends after a DNS name was pointed at this machine. */
function getAs(host: string, pathname: string): Promise<{ status: number; body: string }> {
  const url = new URL(pathname, runtime.url);
  return new Promise((resolve, reject) => {
    const sent = httpRequest(url, { headers: { host } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    sent.on('error', reject);
    sent.end();
  });
}

describe('local runtime', () => {
  it('answers GET /healthz', async () => {
    const response = await get('/healthz');

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers only requests addressed to 127.0.0.1 or localhost, which stops DNS rebinding', async () => {
    const port = new URL(runtime.url).port;

    const byName = await getAs(`localhost:${port}`, '/healthz');
    const rebound = await getAs(`attacker.example:${port}`, '/local/jwks.json');

    expect(byName.status).toBe(200);
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it('serves GET /v1/aws/env through the authorizer, middleware, handler and service', async () => {
    const token = await runtime.issuer.sign({ tenantId: 'acme' });

    const response = await get('/v1/aws/env', bearer(token));

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      configured: true,
      trustedAccountId: DEFAULT_LOCAL_CONFIG.trustedAccountId,
      partition: 'aws',
      regions: expect.arrayContaining(['us-east-1', 'eu-west-1']),
      callerAccountId: DEFAULT_LOCAL_CONFIG.trustedAccountId,
      problem: null,
    });
  });

  it('creates the table from the stack key design in DynamoDB Local', async () => {
    const client = localDynamoDbClient(runtime.dynamoDbEndpoint);
    try {
      const { Table } = await client.send(
        new DescribeTableCommand({ TableName: DEFAULT_LOCAL_CONFIG.tableName }),
      );

      expect(Table?.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual([
        'by-management-account',
        'by-schedule',
      ]);
      expect(Table?.StreamSpecification?.StreamEnabled).toBe(true);
    } finally {
      client.destroy();
    }
  });

  describe('refuses with 401 UNAUTHENTICATED', () => {
    const refusedTokens: [string, () => Promise<Record<string, string>>][] = [
      ['no token', async () => ({})],
      ['a token signed by another key', async () => bearer(await foreignToken())],
      [
        'an expired token',
        async () => bearer(await runtime.issuer.sign({ tenantId: 'acme', ttlSeconds: -60 })),
      ],
      [
        'an unsigned token (alg: none)',
        async () =>
          bearer(
            new UnsecuredJWT({ tenant_id: 'acme', sub: 'mallory' })
              .setIssuer(LOCAL_ISSUER)
              .setAudience(LOCAL_AUDIENCE)
              .setExpirationTime('5m')
              .encode(),
          ),
      ],
      ['a non-bearer header', async () => ({ authorization: 'Basic YWRtaW46YWRtaW4=' })],
    ];

    it.each(refusedTokens)('%s', async (_, headers) => {
      const response = await get('/v1/aws/env', await headers());

      expect(response.status).toBe(401);
      expect((await json<ErrorBody>(response)).error.code).toBe('UNAUTHENTICATED');
    });
  });

  it('takes the tenant from the token, never from an X-Tenant-Id header', async () => {
    const token = await runtime.issuer.sign({ tenantId: 'acme' });

    const withHeader = await get('/v1/aws/env', { ...bearer(token), 'x-tenant-id': 'globex' });
    const withoutToken = await get('/v1/aws/env', { 'x-tenant-id': 'acme' });

    expect(withHeader.status).toBe(200);
    expect(withoutToken.status).toBe(401);
  });

  it('answers an unknown route with 404 NOT_FOUND in the error envelope', async () => {
    const response = await get('/v1/nothing-here', bearer(await runtime.issuer.sign({ tenantId: 'acme' })));

    expect(response.status).toBe(404);
    expect((await json<ErrorBody>(response)).error).toMatchObject({
      code: 'NOT_FOUND',
      requestId: expect.any(String),
    });
  });

  it('lists published events from GET /local/events, oldest first, skipping ?since', async () => {
    const before = (await json<unknown[]>(await get('/local/events'))).length;
    runtime.bus.publish([
      { source: 'aws-org-connections', detailType: 'Folder Created', detail: { n: 1 } },
      { source: 'aws-org-connections', detailType: 'Connection Created', detail: { n: 2 } },
    ]);

    const events = await json<unknown[]>(await get(`/local/events?since=${before + 1}`));

    expect(events).toEqual([
      expect.objectContaining({
        source: 'aws-org-connections',
        'detail-type': 'Connection Created',
        detail: { n: 2 },
      }),
    ]);
  });
});

async function foreignToken(): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT({ tenant_id: 'acme' })
    .setProtectedHeader({ alg: 'RS256' })
    .setSubject('mallory')
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setExpirationTime('5m')
    .sign(privateKey);
}
