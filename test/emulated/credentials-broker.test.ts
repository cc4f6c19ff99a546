import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { StsSessionIssuer } from '../../lambdas/adapters/aws/sts-session-issuer';
import { brokerTables } from '../../lambdas/composition/credentials';
import { createDocumentClient } from '../../lambdas/core/dynamodb';
import { type CredentialsBroker, makeCredentialsBroker } from '../../lambdas/credentials/service';
import { nodeKey } from '../../lambdas/domain/node-key';
import { parseRoleArn } from '../../lambdas/domain/role-arn';
import { ensureTable } from '../../local/dynamodb-local';
import type { CredentialAnswer, CredentialGrant } from '../../schemas/credentials';
import { ITEM_KEYS } from '../../schemas/table';
import { aConnection, anIntegration } from '../fixtures/records';
import { type MotoServer, startMoto } from './moto-server';

/**
 * The broker on its real AWS adapters (STS, and the table's reads and budget on DynamoDB), against
 * moto. moto enforces no trust policy, so refusals are tested on the sandbox; what this shows is
 * that AssumeRole takes the SourceIdentity, tags and policy, and that the credentials work.
 */

const TABLE = 'broker-emulated';
const TENANT = 'emulated';
const INTEGRATION_ID = '0b9f1f8e-3f0e-4e4f-9d43-62a4a3c2b1d0';
/** Not moto's own account (123456789012), which the role rules refuse as ours. */
const ACCOUNT = '210987654321';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/OrgConnectionsReadOnly`;
const RULES = { trustedAccountId: '123456789012', allowedPartitions: ['aws' as const] };

let moto: MotoServer;
let sts: STSClient;
let dynamo: DynamoDBClient;
let broker: CredentialsBroker;

async function seed(): Promise<void> {
  const db = createDocumentClient(dynamo);
  const pk = ITEM_KEYS.tenant(TENANT);
  const integration = anIntegration({
    id: INTEGRATION_ID,
    handle: 'emulated',
    kind: 'account',
    roleArn: ROLE_ARN,
    memberRoleName: null,
    permissions: { share: 'all' },
    externalId: `${TENANT}:an-external-id`,
    accountId: ACCOUNT,
    organizationId: null,
    managementAccountId: null,
  });
  const connection = aConnection(
    INTEGRATION_ID,
    { permissions: { share: 'all' } },
    { id: ACCOUNT, parentId: null, name: 'emulated', handle: 'emulated_account', roleArn: ROLE_ARN },
  );
  const items = [
    { pk, sk: ITEM_KEYS.integration(INTEGRATION_ID), ...integration },
    { pk, sk: ITEM_KEYS.connection(INTEGRATION_ID, ACCOUNT), ...connection },
    { pk, sk: ITEM_KEYS.share('*', INTEGRATION_ID, ACCOUNT), integrationId: INTEGRATION_ID },
    {
      pk,
      sk: ITEM_KEYS.nodeHandle(connection.handle),
      integrationId: INTEGRATION_ID,
      node: nodeKey(connection),
    },
  ];
  for (const item of items) await db.send(new PutCommand({ TableName: TABLE, Item: item }));
}

beforeAll(async () => {
  moto = await startMoto();
  sts = new STSClient(moto.clientConfig);
  dynamo = new DynamoDBClient(moto.clientConfig);
  await ensureTable(dynamo, TABLE);
  await seed();
  const db = createDocumentClient(dynamo);
  const tables = brokerTables(db, TABLE, { rate: 1, burst: 2 });
  // This tier proves the AWS adapters; workspace assertions have their unit and integration tests.
  broker = makeCredentialsBroker({
    consumers: [{ name: 'query-worker', access: ['read'], assertion: 'not-required' }],
    assertions: null,
    tables: async () => tables,
    issuer: new StsSessionIssuer(sts),
    roleRules: RULES,
    metrics: { count: () => undefined },
  });
}, 60_000);

afterAll(async () => {
  sts?.destroy();
  dynamo?.destroy();
  await moto?.stop();
});

function granted(answer: CredentialAnswer): CredentialGrant {
  if ('error' in answer) throw new Error(`refused: ${JSON.stringify(answer.error)}`);
  return answer;
}

describe('the credentials broker against emulated AWS', () => {
  it('assumes the role with a SourceIdentity, session tags and a policy, and the credentials name the session', async () => {
    const issued = await new StsSessionIssuer(sts).issueSession({
      role: parseRoleArn(ROLE_ARN, RULES),
      externalId: `${TENANT}:an-external-id`,
      sessionName: 'scanner@ws-1@emulated',
      durationSeconds: 900,
      sourceIdentity: 'scanner',
      tags: { tenant: TENANT, workspace: 'ws-1', consumer: 'scanner' },
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
      }),
    });
    const session = new STSClient({ ...moto.clientConfig, credentials: issued });

    const identity = await session.send(new GetCallerIdentityCommand({}));

    expect(issued.accessKeyId).toMatch(/^ASIA/);
    expect(identity.Arn).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/OrgConnectionsReadOnly/scanner@ws-1@emulated`,
    );
    session.destroy();
  });

  it('issues from the table with its real adapters, then serves the session from its cache', async () => {
    const request = {
      tenantId: TENANT,
      workspaceId: 'any-workspace',
      connection: { handle: 'emulated_account' },
      consumer: 'query-worker',
    };

    const first = granted(await broker.answer(request, { verified: false }));
    const second = granted(await broker.answer(request, { verified: false }));

    expect(first).toMatchObject({
      accountId: ACCOUNT,
      roleArn: ROLE_ARN,
      cached: false,
      sourceIdentity: true,
    });
    expect(second.cached).toBe(true);
    expect(second.credentials.accessKeyId).toBe(first.credentials.accessKeyId);
  });
});
