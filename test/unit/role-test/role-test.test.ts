import {
  type EvaluationResult,
  IAMClient,
  ListRoleTagsCommand,
  SimulatePrincipalPolicyCommand,
  type SimulatePrincipalPolicyCommandInput,
} from '@aws-sdk/client-iam';
import {
  AccessDeniedException,
  AWSOrganizationsNotInUseException,
  DescribeOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  AssumeRoleCommand,
  type AssumeRoleCommandInput,
  GetCallerIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { StsCustomerRoles } from '../../../lambdas/adapters/aws/sts-customer-roles';
import { AppError } from '../../../lambdas/core/errors';
import { TEMPLATE_VERSIONS } from '../../../lambdas/domain/template-versions';
import { makeRoleTestService } from '../../../lambdas/role-test/service';
import type { RoleTestRequest } from '../../../schemas/api/role-test';

/** The discovery role's current template version. */
const CURRENT = TEMPLATE_VERSIONS['management-account-role'];

const sts = mockClient(STSClient);
const organizations = mockClient(OrganizationsClient);
const iam = mockClient(IAMClient);

const TENANT = 'tenant-a';
const EXTERNAL_ID = 'tenant-a:Zm9yLXRlc3RzLW9ubHk';
const MANAGEMENT = '210000001013';
const MEMBER = '210000002026';
const ROLE = `arn:aws:iam::${MANAGEMENT}:role/OrgConnectionsDiscovery`;
const CREDENTIALS = {
  Credentials: {
    AccessKeyId: 'AKIA',
    SecretAccessKey: 'secret',
    SessionToken: 'token',
    Expiration: new Date(),
  },
};

/** Retries wait on this clock, which only counts the time they would have slept. */
const slept = { ms: 0 };
const clock = {
  now: () => 0,
  sleep: async (ms: number) => {
    slept.ms += ms;
  },
};

const service = makeRoleTestService({
  roles: new StsCustomerRoles(new STSClient({ region: 'eu-west-1' })),
  rules: { trustedAccountId: '123456789012', allowedPartitions: ['aws'] },
  templatesBaseUrl: 'https://templates.example.com/',
  clock,
});

function awsError(name: string): Error {
  return Object.assign(new Error(name), { name });
}

/** A role whose trust policy requires exactly EXTERNAL_ID. */
function roleRequiringExternalId(): void {
  sts.on(AssumeRoleCommand).rejects(awsError('AccessDenied'));
  sts.on(AssumeRoleCommand, { ExternalId: EXTERNAL_ID }).resolves(CREDENTIALS);
}

function callerIs(accountId: string): void {
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: accountId, Arn: `arn:aws:sts::${accountId}:assumed-role/r/s` });
}

function organizationManagedBy(accountId: string): void {
  organizations.on(DescribeOrganizationCommand).resolves({
    Organization: {
      Id: 'o-k3v9x2m4p7',
      Arn: `arn:aws:organizations::${accountId}:organization/o-k3v9x2m4p7`,
      MasterAccountId: accountId,
    },
  });
}

function run(request: RoleTestRequest) {
  return service.test({ tenantId: TENANT, externalId: EXTERNAL_ID, request });
}

async function failureOf(request: RoleTestRequest): Promise<AppError> {
  const error = await run(request).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

function reportOf(error: AppError) {
  return (error.details as { report: { checks: Array<{ check: string; status: string }> } }).report;
}

/** IAM's simulation: every action allowed but those given here, with AWS's decision details. */
function simulation(denied: Record<string, Omit<EvaluationResult, 'EvalActionName'>> = {}): void {
  iam.on(SimulatePrincipalPolicyCommand).callsFake((input: SimulatePrincipalPolicyCommandInput) => ({
    EvaluationResults: (input.ActionNames ?? []).map(
      (action): EvaluationResult => ({
        EvalActionName: action,
        EvalResourceName: input.ResourceArns?.[0] ?? '*',
        ...(denied[action] ?? { EvalDecision: 'allowed' }),
      }),
    ),
    IsTruncated: false,
  }));
}

function taggedVersion(version: string): void {
  iam.on(ListRoleTagsCommand).resolves({
    Tags: [{ Key: 'org-connections:template-version', Value: version }],
    IsTruncated: false,
  });
}

beforeEach(() => {
  sts.reset();
  organizations.reset();
  iam.reset();
  simulation();
  taggedVersion(String(CURRENT));
  slept.ms = 0;
});

describe('role test through STS and Organizations', () => {
  it('passes a management-account role and sends the three AssumeRole probes it needs', async () => {
    roleRequiringExternalId();
    callerIs(MANAGEMENT);
    organizationManagedBy(MANAGEMENT);

    const outcome = await run({ kind: 'organization', roleArn: ROLE });

    expect(outcome.report.ok).toBe(true);
    expect(outcome.organization).toEqual(expect.objectContaining({ managementAccountId: MANAGEMENT }));
    const probes = sts
      .commandCalls(AssumeRoleCommand)
      .map((call) => call.args[0].input as AssumeRoleCommandInput);
    expect(probes).toHaveLength(3);
    expect(probes[0]).toEqual({
      RoleArn: ROLE,
      ExternalId: EXTERNAL_ID,
      RoleSessionName: 'aoc-test-tenant-a',
      DurationSeconds: 900,
    });
    expect(probes[1]?.ExternalId).toBeUndefined();
    expect(probes[2]?.ExternalId).toMatch(/^tenant-a:probe-/);
    expect(probes[2]?.ExternalId).not.toBe(EXTERNAL_ID);
    expect(organizations).toHaveReceivedCommandTimes(DescribeOrganizationCommand, 1);
    expect(organizations).not.toHaveReceivedCommand(ListDelegatedAdministratorsCommand);
  });

  it('refuses a role that can be assumed without an External ID', async () => {
    sts.on(AssumeRoleCommand).resolves(CREDENTIALS);
    callerIs(MANAGEMENT);

    const error = await failureOf({ kind: 'organization', roleArn: ROLE });

    expect(error.code).toBe('EXTERNAL_ID_NOT_ENFORCED');
    expect(error.hint).toContain(`StringEquals sts:ExternalId = ${EXTERNAL_ID}`);
    expect(reportOf(error).checks.map((check) => check.status)).toEqual([
      'passed',
      'passed',
      'passed',
      'failed',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
    ]);
  });

  it('refuses a role that accepts any External ID, even a wrong one', async () => {
    sts.on(AssumeRoleCommand).callsFake((input: AssumeRoleCommandInput) => {
      if (input.ExternalId === undefined) throw awsError('AccessDenied');
      return CREDENTIALS;
    });
    callerIs(MANAGEMENT);

    const error = await failureOf({ kind: 'account', roleArn: ROLE });

    expect(error.code).toBe('EXTERNAL_ID_NOT_ENFORCED');
    expect(error.message).toBe('The role can be assumed with a wrong External ID.');
  });

  it('only warns about a role without the condition in emulator mode, and still checks the rest', async () => {
    const emulated = makeRoleTestService({
      roles: new StsCustomerRoles(new STSClient({ region: 'eu-west-1' })),
      rules: { trustedAccountId: '123456789012', allowedPartitions: ['aws'] },
      trustPolicyProbes: 'warn',
      templatesBaseUrl: 'https://templates.example.com/',
      clock,
    });
    sts.on(AssumeRoleCommand).resolves(CREDENTIALS);
    callerIs(MANAGEMENT);
    organizationManagedBy(MANAGEMENT);
    const request: RoleTestRequest = { kind: 'organization', roleArn: ROLE };

    const { report } = await emulated.test({ tenantId: TENANT, externalId: EXTERNAL_ID, request });
    callerIs(MEMBER);
    const mismatch = await emulated
      .test({ tenantId: TENANT, externalId: EXTERNAL_ID, request })
      .catch((error: unknown) => error);

    expect(report.ok).toBe(true);
    expect(report.checks.map((check) => check.status)).toEqual([
      'passed',
      'passed',
      'passed',
      'warning',
      'warning',
      'passed',
      'passed',
      'passed',
    ]);
    expect(mismatch).toMatchObject({ code: 'ACCOUNT_MISMATCH' });
  });

  it('answers ROLE_NOT_ASSUMABLE when the role wants another (stale) External ID', async () => {
    sts.on(AssumeRoleCommand).rejects(awsError('AccessDenied'));

    const error = await failureOf({ kind: 'account', roleArn: ROLE });

    expect(error.code).toBe('ROLE_NOT_ASSUMABLE');
    expect(error.status).toBe(422);
    expect(error.hint).toContain('arn:aws:iam::123456789012:root');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
  });

  it('answers ACCOUNT_MISMATCH when the session belongs to another account than the ARN says', async () => {
    roleRequiringExternalId();
    callerIs('999999999999');

    const error = await failureOf({ kind: 'account', roleArn: ROLE });

    expect(error.code).toBe('ACCOUNT_MISMATCH');
  });

  it('refuses a member account as the discovery role', async () => {
    roleRequiringExternalId();
    callerIs(MEMBER);
    organizationManagedBy(MANAGEMENT);
    organizations
      .on(ListDelegatedAdministratorsCommand)
      .rejects(new AccessDeniedException({ message: 'no', $metadata: {} }));

    const error = await failureOf({ kind: 'organization', roleArn: `arn:aws:iam::${MEMBER}:role/Discovery` });

    expect(error.code).toBe('NOT_MANAGEMENT_OR_DELEGATED_ADMIN');
    expect(error.hint).toContain(MANAGEMENT);
  });

  it('accepts a delegated administrator, reading every page of the list', async () => {
    roleRequiringExternalId();
    callerIs(MEMBER);
    organizationManagedBy(MANAGEMENT);
    organizations
      .on(ListDelegatedAdministratorsCommand)
      .resolvesOnce({ DelegatedAdministrators: [], NextToken: 'page-2' })
      .resolvesOnce({ DelegatedAdministrators: [{ Id: MEMBER }] });

    const outcome = await run({ kind: 'organization', roleArn: `arn:aws:iam::${MEMBER}:role/Discovery` });

    expect(outcome.report.ok).toBe(true);
    expect(organizations).toHaveReceivedCommandTimes(ListDelegatedAdministratorsCommand, 2);
    expect(organizations).toHaveReceivedNthSpecificCommandWith(2, ListDelegatedAdministratorsCommand, {
      NextToken: 'page-2',
    });
  });

  it('refuses an account outside any organization as an organization integration', async () => {
    roleRequiringExternalId();
    callerIs(MANAGEMENT);
    organizations
      .on(DescribeOrganizationCommand)
      .rejects(new AWSOrganizationsNotInUseException({ message: 'not in use', $metadata: {} }));

    const error = await failureOf({ kind: 'organization', roleArn: ROLE });

    expect(error.code).toBe('NOT_MANAGEMENT_OR_DELEGATED_ADMIN');
    expect(error.hint).toContain('kind "account"');
  });

  it('answers MISSING_PERMISSIONS when the role may not describe the organization', async () => {
    roleRequiringExternalId();
    callerIs(MANAGEMENT);
    organizations
      .on(DescribeOrganizationCommand)
      .rejects(new AccessDeniedException({ message: 'no', $metadata: {} }));

    const error = await failureOf({ kind: 'organization', roleArn: ROLE });

    expect(error.code).toBe('MISSING_PERMISSIONS');
    expect(error.hint).toContain('organizations:DescribeOrganization');
  });

  it('lets STS throttling through as a retryable error after a few retries, not as a verdict on the role', async () => {
    sts.on(AssumeRoleCommand).rejects(awsError('Throttling'));

    const error = await failureOf({ kind: 'account', roleArn: ROLE });

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 5);
    expect(slept.ms).toBeLessThanOrEqual(500 + 1_000 + 2_000 + 4_000);
    expect(error.code).toBe('UPSTREAM_THROTTLED');
    expect(error.status).toBe(429);
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
    expect(error.details).toBeUndefined();
  });

  it('rides out a throttled DescribeOrganization, which allows one call a second', async () => {
    roleRequiringExternalId();
    callerIs(MANAGEMENT);
    organizations
      .on(DescribeOrganizationCommand)
      .rejectsOnce(awsError('TooManyRequestsException'))
      .rejectsOnce(awsError('TooManyRequestsException'))
      .resolves({
        Organization: {
          Id: 'o-k3v9x2m4p7',
          Arn: `arn:aws:organizations::${MANAGEMENT}:organization/o-k3v9x2m4p7`,
          MasterAccountId: MANAGEMENT,
        },
      });

    const { report } = await run({ kind: 'organization', roleArn: ROLE });

    expect(report.ok).toBe(true);
    expect(organizations).toHaveReceivedCommandTimes(DescribeOrganizationCommand, 3);
  });

  it('refuses a malformed ARN before calling STS', async () => {
    const error = await failureOf({ kind: 'account', roleArn: `arn:aws:iam::${MANAGEMENT}:user/alice` });

    expect(error.code).toBe('INVALID_ROLE_ARN');
    expect(sts).not.toHaveReceivedCommand(AssumeRoleCommand);
  });

  it('proves both roles of an account integration, and wants them in one account', async () => {
    roleRequiringExternalId();
    callerIs(MANAGEMENT);

    const error = await failureOf({
      kind: 'account',
      roleArn: ROLE,
      readOnlyRoleArn: `arn:aws:iam::${MEMBER}:role/ReadOnly`,
    });

    expect(error.code).toBe('ACCOUNT_MISMATCH');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 3);
  });
});

describe('role test: the role’s permissions and template version, through IAM', () => {
  beforeEach(() => {
    roleRequiringExternalId();
    callerIs(MANAGEMENT);
    organizationManagedBy(MANAGEMENT);
  });

  it('simulates the manifest for the role, the self-inspection actions on the role itself', async () => {
    const { report } = await run({ kind: 'organization', roleArn: ROLE });

    const calls = iam
      .commandCalls(SimulatePrincipalPolicyCommand)
      .map((call) => call.args[0].input as SimulatePrincipalPolicyCommandInput);
    expect(calls).toEqual([
      expect.objectContaining({
        PolicySourceArn: ROLE,
        ActionNames: expect.arrayContaining(['organizations:ListAccountsForParent']),
      }),
      {
        PolicySourceArn: ROLE,
        ActionNames: ['iam:ListRoleTags', 'iam:SimulatePrincipalPolicy'],
        ResourceArns: [ROLE],
      },
    ]);
    expect(calls[0]?.ResourceArns).toBeUndefined();
    expect(report.checks.find((check) => check.check === 'permissions')).toMatchObject({ status: 'passed' });
    expect(report).toMatchObject({ templateVersion: CURRENT, outdated: false, updateUrl: null });
  });

  it('names each cause AWS gives: SCP, boundary, an explicit Deny, and no Allow', async () => {
    simulation({
      'organizations:ListAccountsForParent': {
        EvalDecision: 'implicitDeny',
        OrganizationsDecisionDetail: { AllowedByOrganizations: false },
      },
      'organizations:ListRoots': {
        EvalDecision: 'implicitDeny',
        OrganizationsDecisionDetail: { AllowedByOrganizations: true },
        PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: false },
      },
      'organizations:ListParents': { EvalDecision: 'explicitDeny' },
      'organizations:DescribeAccount': { EvalDecision: 'implicitDeny' },
    });

    const error = await failureOf({ kind: 'organization', roleArn: ROLE });

    const denied = [
      { action: 'organizations:ListRoots', cause: 'boundary' },
      { action: 'organizations:ListAccountsForParent', cause: 'organizations' },
      { action: 'organizations:ListParents', cause: 'explicit' },
      { action: 'organizations:DescribeAccount', cause: 'implicit' },
    ];
    expect(error.code).toBe('MISSING_PERMISSIONS');
    expect(error.status).toBe(422);
    expect(error.details).toMatchObject({ denied });
    expect(error.hint).toContain(
      'a service control policy of your organization denies organizations:ListAccountsForParent',
    );
    expect(error.hint).toContain("The role's permissions boundary denies organizations:ListRoots");
    expect(error.hint).toContain("a Deny statement in the role's policies denies organizations:ListParents");
    expect(error.hint).toContain("the role's policies do not allow organizations:DescribeAccount");
    const check = reportOf(error).checks.find((entry) => entry.check === 'permissions');
    expect(check).toMatchObject({ status: 'failed', code: 'MISSING_PERMISSIONS', details: { denied } });
    expect(organizations).not.toHaveReceivedCommand(DescribeOrganizationCommand);
  });

  it('passes with a warning when the role may not simulate its policies: the verdict is unknown', async () => {
    iam.on(SimulatePrincipalPolicyCommand).rejects(awsError('AccessDenied'));

    const { report } = await run({ kind: 'organization', roleArn: ROLE });

    expect(report.ok).toBe(true);
    expect(report.checks.find((check) => check.check === 'permissions')).toMatchObject({
      status: 'warning',
      message: expect.stringContaining('iam:SimulatePrincipalPolicy'),
    });
  });

  it('fails the permissions check when IAM does not know the role, asking it once', async () => {
    iam.on(SimulatePrincipalPolicyCommand).rejects(awsError('NoSuchEntity'));
    iam.on(ListRoleTagsCommand).rejects(awsError('NoSuchEntity'));

    const error = await failureOf({ kind: 'organization', roleArn: ROLE });

    expect(error.code).toBe('ROLE_NOT_ASSUMABLE');
    expect(error.hint).toContain('deploy it again');
    expect(reportOf(error).checks.find((check) => check.check === 'permissions')).toMatchObject({
      status: 'failed',
      code: 'ROLE_NOT_ASSUMABLE',
    });
    expect(iam.commandCalls(SimulatePrincipalPolicyCommand)).toHaveLength(1);
    expect(iam.commandCalls(ListRoleTagsCommand).length).toBeLessThanOrEqual(1);
  });

  it.each([
    ['ValidationError', awsError('ValidationError')],
    ['a 501', Object.assign(awsError('NotImplemented'), { $metadata: { httpStatusCode: 501 } })],
    [
      'a 500 that says it is not implemented',
      Object.assign(new Error('The action SimulatePrincipalPolicy is not yet implemented'), {
        name: 'InternalFailure',
        $metadata: { httpStatusCode: 500 },
      }),
    ],
  ])('asks IAM once for what cannot change (%s): three IAM calls in all', async (_, refusal) => {
    iam.on(SimulatePrincipalPolicyCommand).rejects(refusal);
    iam.on(ListRoleTagsCommand).rejects(refusal);

    const { report } = await run({ kind: 'organization', roleArn: ROLE });

    expect(report.checks.find((check) => check.check === 'permissions')).toMatchObject({ status: 'warning' });
    expect(iam.commandCalls(SimulatePrincipalPolicyCommand)).toHaveLength(1);
    expect(iam.commandCalls(ListRoleTagsCommand)).toHaveLength(1);
  });

  it('retries an IAM outage, which may pass', async () => {
    let outage = true;
    const allowed = (input: SimulatePrincipalPolicyCommandInput) => ({
      EvaluationResults: (input.ActionNames ?? []).map((action) => ({
        EvalActionName: action,
        EvalDecision: 'allowed' as const,
      })),
      IsTruncated: false,
    });
    iam.on(SimulatePrincipalPolicyCommand).callsFake((input: SimulatePrincipalPolicyCommandInput) => {
      if (!outage) return allowed(input);
      outage = false;
      throw awsError('ServiceFailure');
    });

    const { report } = await run({ kind: 'organization', roleArn: ROLE });

    expect(report.checks.find((check) => check.check === 'permissions')).toMatchObject({ status: 'passed' });
    expect(iam.commandCalls(SimulatePrincipalPolicyCommand)).toHaveLength(3);
  });

  it('reports an older role as outdated, with a quick-create link to the current template', async () => {
    taggedVersion('2');

    const { report } = await run({ kind: 'organization', roleArn: ROLE });

    expect(report).toMatchObject({ ok: true, templateVersion: 2, outdated: true });
    const link = new URL(report.updateUrl ?? '');
    const query = new URLSearchParams(link.hash.split('?')[1]);
    expect(link.host).toBe('console.aws.amazon.com');
    expect(query.get('templateURL')).toBe('https://templates.example.com/management-account-role.yaml');
    expect(query.get('param_ExternalId')).toBe(EXTERNAL_ID);
  });

  it('calls a role that may not read its tags outdated, its version unknown', async () => {
    iam.on(ListRoleTagsCommand).rejects(awsError('AccessDenied'));

    const { report } = await run({ kind: 'organization', roleArn: ROLE });

    expect(report).toMatchObject({ templateVersion: null, outdated: true });
  });
});
