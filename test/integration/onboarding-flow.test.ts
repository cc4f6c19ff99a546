import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DEFAULT_LOCAL_CONFIG } from '../../local/config';
import { localDynamoDbClient } from '../../local/dynamodb-local';
import type { LocalRuntime } from '../../local/runtime';
import type { Integration } from '../../schemas/api/integrations';
import type { Onboarding } from '../../schemas/api/onboarding';
import type { RoleTestReport } from '../../schemas/api/role-test';
import { errorCode, localApi } from '../fixtures/local-api';
import { isBudget } from '../fixtures/table-snapshot';
import { startTestRuntime } from '../fixtures/test-runtime';

let runtime: LocalRuntime;
let management: string;
let member: string;

beforeAll(async () => {
  runtime = await startTestRuntime();
  const organization = runtime.sandbox?.snapshot();
  management = organization?.organization.managementAccountId ?? '';
  member =
    organization?.accounts.find(
      (account) =>
        account.id !== management &&
        account.state === 'ACTIVE' &&
        !organization.organization.delegatedAdministrators.includes(account.id),
    )?.id ?? '';
}, 60_000);

afterAll(async () => {
  // Stopping waits for the initial syncs, which share the sandbox's Organizations rate limits.
  await runtime?.stop();
}, 120_000);

// Every integration here lives in the same sandbox organization, whose DescribeOrganization
// allows one call a second: role tests and initial syncs wait their turn, as they would in AWS.
jest.setTimeout(60_000);

const { call, deployRole, externalIdOf } = localApi(() => runtime);

/** Every item the table holds for a tenant: proof that a refusal wrote nothing. */
async function itemsOf(tenantId: string): Promise<string[]> {
  const client = localDynamoDbClient(runtime.dynamoDbEndpoint);
  const { Items = [] } = await client.send(new ScanCommand({ TableName: DEFAULT_LOCAL_CONFIG.tableName }));
  client.destroy();
  return Items.filter((item) => item.pk?.S === `TENANT#${tenantId}` && !isBudget(item.sk?.S)).map(
    (item) => item.sk?.S ?? '',
  );
}

function integrationBody(roleArn: string, handle: string, extra: Record<string, unknown> = {}) {
  return {
    kind: 'organization',
    roleArn,
    handle,
    scope: { level: 'tenant' },
    regions: ['us-east-1'],
    ...extra,
  };
}

describe('onboarding to a registered integration, through the local server', () => {
  it('goes from onboarding to a listed integration with a role that requires the External ID', async () => {
    const tenant = { tenantId: 'flow-ok' };
    const externalId = await externalIdOf(tenant.tenantId);
    const roleArn = await deployRole(management, 'OrgConnectionsDiscovery', externalId);

    const test = await call(tenant, 'POST', '/v1/aws/test-connection', { kind: 'organization', roleArn });
    const created = await call(tenant, 'POST', '/v1/integrations', integrationBody(roleArn, 'acme_org'));
    const listed = await call(tenant, 'GET', '/v1/integrations');

    expect(test.status).toBe(200);
    expect((test.body as RoleTestReport).ok).toBe(true);
    expect(created.status).toBe(201);
    const integration = created.body as Integration;
    expect(created.headers.get('location')).toBe(`/v1/integrations/${integration.id}`);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(integration).toMatchObject({
      status: 'pending',
      externalId,
      accountId: management,
      managementAccountId: management,
      organizationId: runtime.sandbox?.id,
      partition: 'aws',
      memberRoleName: 'OrgConnectionsReadOnly',
    });
    expect(listed.body).toEqual({ items: [integration], nextCursor: null });
    expect((await call(tenant, 'GET', `/v1/integrations/${integration.id}`)).body).toEqual(integration);
  });

  it('answers 422 EXTERNAL_ID_NOT_ENFORCED for a role without the condition, and stores nothing', async () => {
    const tenant = { tenantId: 'flow-lax' };
    await externalIdOf(tenant.tenantId);
    const roleArn = await deployRole(management, 'LaxDiscovery', null);

    const created = await call(tenant, 'POST', '/v1/integrations', integrationBody(roleArn, 'lax'));

    expect(created.status).toBe(422);
    expect(errorCode(created.body)).toBe('EXTERNAL_ID_NOT_ENFORCED');
    expect(await itemsOf(tenant.tenantId)).toEqual(['EXTERNAL_ID']);
    expect((await call(tenant, 'GET', '/v1/integrations')).body).toEqual({ items: [], nextCursor: null });
  });

  it('refuses a stale External ID after a rotation, while the existing integration keeps its own', async () => {
    const tenant = { tenantId: 'flow-rotate' };
    const first = await externalIdOf(tenant.tenantId);
    const roleArn = await deployRole(management, 'RotateDiscovery', first);
    const created = await call(tenant, 'POST', '/v1/integrations', integrationBody(roleArn, 'before'));

    const rotated = await call(tenant, 'POST', '/v1/aws/onboarding/external-id');
    const test = await call(tenant, 'POST', '/v1/aws/test-connection', { kind: 'organization', roleArn });
    const kept = await call(tenant, 'GET', `/v1/integrations/${(created.body as Integration).id}`);

    expect((rotated.body as Onboarding).externalId).not.toBe(first);
    expect(test.status).toBe(422);
    expect(errorCode(test.body)).toBe('ROLE_NOT_ASSUMABLE');
    expect((kept.body as Integration).externalId).toBe(first);
  });

  it('refuses a member account as discovery role, and an account role given for an organization', async () => {
    const tenant = { tenantId: 'flow-member' };
    const externalId = await externalIdOf(tenant.tenantId);
    const memberRole = await deployRole(member, 'Discovery', externalId);
    const standaloneRole = await deployRole('333333333333', 'AccountRole', externalId);

    const asMember = await call(tenant, 'POST', '/v1/aws/test-connection', {
      kind: 'organization',
      roleArn: memberRole,
    });
    const asStandalone = await call(tenant, 'POST', '/v1/aws/test-connection', {
      kind: 'organization',
      roleArn: standaloneRole,
    });
    const asAccount = await call(tenant, 'POST', '/v1/aws/test-connection', {
      kind: 'account',
      roleArn: standaloneRole,
    });

    expect(errorCode(asMember.body)).toBe('NOT_MANAGEMENT_OR_DELEGATED_ADMIN');
    expect(errorCode(asStandalone.body)).toBe('NOT_MANAGEMENT_OR_DELEGATED_ADMIN');
    expect(asAccount.status).toBe(200);
  });

  it('keeps handles and roles unique per tenant, without writing half an integration', async () => {
    const tenant = { tenantId: 'flow-unique' };
    const externalId = await externalIdOf(tenant.tenantId);
    const roleArn = await deployRole(management, 'UniqueDiscovery', externalId);
    const otherRole = await deployRole(management, 'OtherDiscovery', externalId);
    // Earlier tests' syncs share the sandbox organization's rate limits: let them end first.
    await runtime.settled();
    const first = await call(tenant, 'POST', '/v1/integrations', integrationBody(roleArn, 'first'));
    expect(first.status).toBe(201);
    await runtime.settled(); // the initial sync has written the mirror
    const before = await itemsOf(tenant.tenantId);

    const sameHandle = await call(tenant, 'POST', '/v1/integrations', integrationBody(otherRole, 'first'));
    const sameRole = await call(tenant, 'POST', '/v1/integrations', integrationBody(roleArn, 'second'));

    expect(sameHandle.status).toBe(409);
    expect(errorCode(sameHandle.body)).toBe('HANDLE_TAKEN');
    expect(sameRole.status).toBe(409);
    expect(errorCode(sameRole.body)).toBe('ROLE_ALREADY_CONNECTED');
    expect(await itemsOf(tenant.tenantId)).toEqual(before);
  });

  it('pages the list with an opaque cursor, and refuses a cursor it did not issue', async () => {
    const tenant = { tenantId: 'flow-pages' };
    const externalId = await externalIdOf(tenant.tenantId);
    for (const name of ['a', 'b', 'c']) {
      const roleArn = await deployRole('333333333333', `Role${name}`, externalId);
      await call(tenant, 'POST', '/v1/integrations', {
        ...integrationBody(roleArn, `acct_${name}`),
        kind: 'account',
      });
    }

    const first = await call(tenant, 'GET', '/v1/integrations?limit=2');
    const { items, nextCursor } = first.body as { items: Integration[]; nextCursor: string };
    const second = await call(tenant, 'GET', `/v1/integrations?limit=2&cursor=${nextCursor}`);
    const forged = await call(tenant, 'GET', '/v1/integrations?cursor=bm90LWEtY3Vyc29y');

    expect(items).toHaveLength(2);
    const rest = (second.body as { items: Integration[] }).items;
    expect(new Set([...items, ...rest].map((item) => item.handle))).toEqual(
      new Set(['acct_a', 'acct_b', 'acct_c']),
    );
    expect(forged.status).toBe(400);
    expect(errorCode(forged.body)).toBe('VALIDATION_FAILED');
  });

  it("answers 404 for another tenant's integration, and 403 within the tenant without the right", async () => {
    const owner = { tenantId: 'flow-owner' };
    const externalId = await externalIdOf(owner.tenantId);
    const roleArn = await deployRole('444444444444', 'OwnerRole', externalId);
    const created = await call(owner, 'POST', '/v1/integrations', {
      ...integrationBody(roleArn, 'owned'),
      kind: 'account',
    });
    const id = (created.body as Integration).id;

    const stranger = await call({ tenantId: 'flow-stranger' }, 'GET', `/v1/integrations/${id}`);
    const colleague = await call(
      { tenantId: owner.tenantId, roles: [], orgIds: ['org-1'] },
      'GET',
      `/v1/integrations/${id}`,
    );
    const colleagueCreates = await call({ tenantId: owner.tenantId, roles: [] }, 'POST', '/v1/integrations', {
      ...integrationBody(roleArn, 'nope'),
      kind: 'account',
    });

    expect(stranger.status).toBe(404);
    expect(errorCode(stranger.body)).toBe('NOT_FOUND');
    expect(colleague.status).toBe(403);
    expect(colleagueCreates.status).toBe(403);
  });

  it.each([
    ['an unknown field', { externalId: 'mine:123' }, 'body'],
    ['a wrong type', { regions: 'us-east-1' }, 'body.regions'],
    ['an invalid handle', { handle: 'Bad Handle' }, 'body.handle'],
    ['a read-only role on an organization', { readOnlyRoleArn: 'arn:aws:iam::111111111111:role/x' }, 'body'],
  ])('answers VALIDATION_FAILED for %s, naming the field', async (_, change, field) => {
    const body = { ...integrationBody('arn:aws:iam::210000001013:role/x', 'valid'), ...change };

    const response = await call({ tenantId: 'flow-invalid' }, 'POST', '/v1/integrations', body);

    expect(response.status).toBe(400);
    const issues = (response.body as { error: { details: { issues: Array<{ field: string }> } } }).error
      .details.issues;
    expect(issues.map((issue) => issue.field)).toContain(field);
  });

  it('answers VALIDATION_FAILED for an oversized body, and INVALID_ROLE_ARN for a user ARN', async () => {
    const oversized = await call(
      { tenantId: 'flow-invalid' },
      'POST',
      '/v1/aws/test-connection',
      'x'.repeat(70_000),
    );
    const user = await call({ tenantId: 'flow-invalid' }, 'POST', '/v1/aws/test-connection', {
      kind: 'account',
      roleArn: 'arn:aws:iam::210000001013:user/alice',
    });

    expect(errorCode(oversized.body)).toBe('VALIDATION_FAILED');
    expect(user.status).toBe(400);
    expect(errorCode(user.body)).toBe('INVALID_ROLE_ARN');
  });

  it('serves a rendered template as a YAML download with the tenant External ID', async () => {
    const tenant = { tenantId: 'flow-template' };
    const externalId = await externalIdOf(tenant.tenantId);
    const token = await runtime.issuer.sign({ tenantId: tenant.tenantId, roles: ['tenant_owner'] });

    const response = await fetch(
      `${runtime.url}/v1/aws/templates/management-account-role?permissionLevel=ReadOnly`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );

    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="aws-org-connections-management-account-role.yaml"',
    );
    const yaml = await response.text();
    expect(yaml).toContain(`Default: ${externalId}`);
    expect(yaml).toContain('Default: ReadOnly');
  });
});
