import { randomBytes } from 'node:crypto';
import type { TemplateName } from '../../schemas/api/onboarding';
import {
  ORGANIZATION_CHECKS,
  PER_ROLE_CHECKS,
  type RoleCheck,
  type RoleTestRequest,
} from '../../schemas/api/role-test';
import { type Clock, systemClock } from '../core/clock';
import { AppError } from '../core/errors';
import { logger } from '../core/logger';
import { type RetryPolicy, withRetries } from '../core/retry';
import { roleSessionName } from '../domain/external-id';
import { missingPermissionError, type RoleKind } from '../domain/permissions';
import { parseRoleArn, type RoleArn, type RoleArnRules } from '../domain/role-arn';
import { inspectRole, type RoleInspection } from '../domain/role-inspection';
import { quickCreateLink } from '../domain/template-catalogue';
import {
  type AssumeRoleRequest,
  type CustomerRoleSession,
  type CustomerRolesPort,
  NotInOrganizationError,
  type OrganizationInfo,
  PermissionDeniedError,
  RoleRefusedError,
} from '../ports/customer-roles';
import type { RoleTestInput, RoleTestOutcome } from '../ports/role-tests';

import { Checklist } from './checklist';

export interface RoleTestDeps {
  readonly roles: CustomerRolesPort;
  readonly rules: RoleArnRules;
  /**
   * `warn` only for an emulator that enforces no trust policy (`npm start -- --aws --emulator`):
   * a role that lets us in without the right External ID is then a warning, not a failure.
   * @default 'enforce'
   */
  readonly trustPolicyProbes?: 'enforce' | 'warn';
  /** Where the raw templates are published (ends with `/`); an outdated role's update link points there. */
  readonly templatesBaseUrl: string;
  /** Paces the retries; tests pass a virtual one. */
  readonly clock?: Clock;
}

/**
 * A role test answers within API Gateway's 29 s, so throttling and 5xx get a few quick retries
 * (DescribeOrganization allows only 1 call a second per account, shared with the customer's tools).
 */
const ROLE_TEST_RETRY: RetryPolicy = { attempts: 5, baseMs: 500, capMs: 4_000 };

type Retried = <T>(call: () => Promise<T>) => Promise<T>;

type RoleField = RoleCheck['role'];
type CheckName = RoleCheck['check'];

/**
 * Proves a customer role works for us and for nobody else. It stores nothing. A failed check
 * throws an AppError with the documented code, a fix-it hint, and the report as `details`.
 */
export function makeRoleTestService({
  roles,
  rules,
  trustPolicyProbes = 'enforce',
  templatesBaseUrl,
  clock = systemClock,
}: RoleTestDeps) {
  const retried: Retried = (call) => withRetries(call, ROLE_TEST_RETRY, clock);
  return {
    async test({ tenantId, externalId, request }: RoleTestInput): Promise<RoleTestOutcome> {
      const readOnlyArn = request.kind === 'account' ? request.readOnlyRoleArn : undefined;
      const checklist = new Checklist(request.kind, plannedChecks(request.kind, readOnlyArn !== undefined));
      const probe = { roles, rules, trustPolicyProbes, retried, tenantId, externalId, checklist };
      const primaryRole = primaryRoleOf(request);

      const primary = await proveRole(probe, 'roleArn', request.roleArn, primaryRole);
      let readOnlyRole: RoleArn | null = null;
      if (readOnlyArn !== undefined) {
        const readOnly = { kind: 'member-read', template: 'single-account-role' } as const;
        readOnlyRole = (
          await proveRole(probe, 'readOnlyRoleArn', readOnlyArn, readOnly, primary.role.accountId)
        ).role;
      }
      const organization =
        request.kind === 'organization' ? await proveOrganizationAccess(checklist, primary, retried) : null;

      const { templateVersion, outdated } = primary.inspection;
      const updateUrl = outdated
        ? quickCreateLink(primaryRole.template, {
            partition: primary.role.partition,
            templatesBaseUrl,
            trustedAccountId: rules.trustedAccountId,
            externalId,
          })
        : null;
      const report = checklist.finish({
        accountId: primary.role.accountId,
        partition: primary.role.partition,
        organization,
        templateVersion,
        outdated,
        updateUrl,
      });
      logger.info('role test passed', { kind: request.kind, accountId: primary.role.accountId });
      return { report, role: primary.role, readOnlyRole, organization };
    },
  };
}

export type RoleTestService = ReturnType<typeof makeRoleTestService>;

/**
 * What the request's first role is for: the discovery role of an organization, or an account's
 * role, which is its full role when a read-only one comes beside it.
 */
function primaryRoleOf(request: RoleTestRequest): ExpectedRole {
  if (request.kind === 'organization') return { kind: 'discovery', template: 'management-account-role' };
  const kind = request.readOnlyRoleArn === undefined ? 'member-read' : 'member-full';
  return { kind, template: 'single-account-role' };
}

interface ExpectedRole {
  readonly kind: RoleKind;
  readonly template: TemplateName;
}

function plannedChecks(kind: RoleTestRequest['kind'], withReadOnly: boolean): Array<[RoleField, CheckName]> {
  const fields: RoleField[] = withReadOnly ? ['roleArn', 'readOnlyRoleArn'] : ['roleArn'];
  const planned = fields.flatMap((field) =>
    PER_ROLE_CHECKS.map((check): [RoleField, CheckName] => [field, check]),
  );
  if (kind === 'organization') {
    planned.push(...ORGANIZATION_CHECKS.map((check): [RoleField, CheckName] => ['roleArn', check]));
  }
  return planned;
}

interface Probe {
  readonly roles: CustomerRolesPort;
  readonly rules: RoleArnRules;
  readonly trustPolicyProbes: 'enforce' | 'warn';
  readonly retried: Retried;
  readonly tenantId: string;
  readonly externalId: string;
  readonly checklist: Checklist;
}

interface ProvenRole {
  readonly role: RoleArn;
  readonly session: CustomerRoleSession;
  readonly inspection: RoleInspection;
}

async function proveRole(
  probe: Probe,
  field: RoleField,
  arn: string,
  expected: ExpectedRole,
  sameAccountAs?: string,
): Promise<ProvenRole> {
  const { roles, rules, trustPolicyProbes, retried, tenantId, externalId, checklist } = probe;
  const role = await checklist.run(field, 'role-arn', async () => {
    const parsed = parseRoleArn(arn, rules);
    if (sameAccountAs !== undefined && parsed.accountId !== sameAccountAs) {
      throw new AppError(
        'ACCOUNT_MISMATCH',
        `The read-only role is in account ${parsed.accountId}, not ${sameAccountAs}.`,
        {
          hint: 'Both roles of an account integration must be in the same account.',
        },
      );
    }
    return {
      value: parsed,
      message: `A role named ${parsed.name} in account ${parsed.accountId} (${parsed.partition}).`,
    };
  });
  const trust = trustHint(rules, role, externalId);

  const session = await checklist.run(field, 'assume-role', async () => {
    try {
      const value = await retried(() =>
        roles.assumeRole({ role, externalId, sessionName: roleSessionName('test', tenantId) }),
      );
      return { value, message: 'We assumed the role with your External ID.' };
    } catch (error: unknown) {
      if (!(error instanceof RoleRefusedError)) throw error;
      throw new AppError('ROLE_NOT_ASSUMABLE', 'We could not assume the role with your External ID.', {
        hint: `Check that the role exists and that its trust policy lets ${trust.principal} assume it with the condition ${trust.condition}. If you rotated the External ID, update the role.`,
        cause: error,
      });
    }
  });

  await checklist.run(field, 'caller-identity', async () => {
    const identity = await retried(() => session.callerIdentity());
    if (identity.accountId !== role.accountId) {
      throw new AppError(
        'ACCOUNT_MISMATCH',
        `The role's session belongs to account ${identity.accountId}, not ${role.accountId}.`,
        {
          hint: 'Register the ARN of the role in the account you mean to connect.',
        },
      );
    }
    return { value: identity, message: `The session belongs to account ${identity.accountId}.` };
  });

  const wrongExternalId = `${tenantId}:probe-${randomBytes(12).toString('base64url')}`;
  const refusals: Array<[CheckName, string | undefined, string]> = [
    ['refuses-without-external-id', undefined, 'without an External ID'],
    ['refuses-wrong-external-id', wrongExternalId, 'with a wrong External ID'],
  ];
  for (const [check, probeExternalId, how] of refusals) {
    await checklist.run(field, check, async () => {
      const assumed = await assumeOrRefuse(retried, roles, {
        role,
        ...(probeExternalId === undefined ? {} : { externalId: probeExternalId }),
        sessionName: roleSessionName('probe', tenantId),
      });
      if (!assumed) return { value: undefined, message: `The role refuses callers ${how}.` };
      if (trustPolicyProbes === 'warn') {
        logger.warn('role trust not enforced, tolerated by the emulator mode', { check, role: role.arn });
        return {
          value: undefined,
          message: `The role can be assumed ${how}. Tolerated: this runtime talks to an emulator that enforces no trust policy.`,
          status: 'warning',
        };
      }
      throw new AppError('EXTERNAL_ID_NOT_ENFORCED', `The role can be assumed ${how}.`, {
        hint: `Anyone in our account could use it. Add the condition ${trust.condition} to its trust policy.`,
      });
    });
  }

  const inspection = await checklist.run(field, 'permissions', async () => {
    const value = await inspectRole(session, expected, retried);
    const { status, denied, hint } = value.permissions;
    if (status === 'missing') {
      throw new AppError(
        'MISSING_PERMISSIONS',
        `The role may not call ${denied.length} of the actions it needs.`,
        {
          hint: `${hint} The actions and their reasons are listed at GET /v1/aws/permissions.`,
          details: { denied },
        },
      );
    }
    if (status === 'unknown') {
      return { value, message: `We could not check the role's permissions. ${hint}`, status: 'warning' };
    }
    return { value, message: 'The role may call every action it needs.' };
  });
  return { role, session, inspection };
}

async function assumeOrRefuse(
  retried: Retried,
  roles: CustomerRolesPort,
  request: AssumeRoleRequest,
): Promise<boolean> {
  try {
    await retried(() => roles.assumeRole(request));
    return true;
  } catch (error: unknown) {
    if (error instanceof RoleRefusedError) return false;
    throw error;
  }
}

async function proveOrganizationAccess(
  checklist: Checklist,
  primary: ProvenRole,
  retried: Retried,
): Promise<OrganizationInfo> {
  const { role, session } = primary;
  const organization = await checklist.run('roleArn', 'describe-organization', async () => {
    try {
      const value = await retried(() => session.describeOrganization());
      return { value, message: `Account ${role.accountId} is in organization ${value.id}.` };
    } catch (error: unknown) {
      if (error instanceof NotInOrganizationError) {
        throw new AppError(
          'NOT_MANAGEMENT_OR_DELEGATED_ADMIN',
          `Account ${role.accountId} is not in an AWS Organization.`,
          {
            hint: 'Register this role as an integration of kind "account" instead.',
            cause: error,
          },
        );
      }
      throw missingPermission(error);
    }
  });

  await checklist.run('roleArn', 'management-or-delegated-admin', async () => {
    if (organization.managementAccountId === role.accountId) {
      return { value: undefined, message: `Account ${role.accountId} is the management account.` };
    }
    const notAdmin = new AppError(
      'NOT_MANAGEMENT_OR_DELEGATED_ADMIN',
      `Account ${role.accountId} is a member account, neither the management account nor a delegated administrator.`,
      {
        hint: `Deploy the discovery role in the management account ${organization.managementAccountId}, or register ${role.accountId} as a delegated administrator.`,
      },
    );
    let delegated: readonly string[];
    try {
      delegated = await retried(() => session.listDelegatedAdministrators());
    } catch (error: unknown) {
      // Organizations denies a plain member account this call, whatever the role's permissions.
      if (error instanceof PermissionDeniedError) throw notAdmin;
      throw error;
    }
    if (!delegated.includes(role.accountId)) throw notAdmin;
    return { value: undefined, message: `Account ${role.accountId} is a delegated administrator.` };
  });
  return organization;
}

function missingPermission(error: unknown): unknown {
  return error instanceof PermissionDeniedError ? missingPermissionError(error.action, error) : error;
}

/** What the role's trust policy must say, in the words of a policy document. */
function trustHint(rules: RoleArnRules, role: RoleArn, externalId: string) {
  return {
    principal: `arn:${role.partition}:iam::${rules.trustedAccountId}:root`,
    condition: `StringEquals sts:ExternalId = ${externalId}`,
  };
}

/** The role test, counting each outcome: `passed`, or the stable code of its failure. */
export function countingOutcomes(
  roleTest: RoleTestService,
  count: (outcome: string) => void,
): RoleTestService {
  return {
    async test(input) {
      try {
        const outcome = await roleTest.test(input);
        count('passed');
        return outcome;
      } catch (error: unknown) {
        count(error instanceof AppError ? error.code : 'INTERNAL_ERROR');
        throw error;
      }
    },
  };
}
