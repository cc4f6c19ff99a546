import type { StackSetRef } from '../../../schemas/api/common';
import type { StackInstance } from '../../../schemas/sync';
import { UpstreamThrottledError, UpstreamUnavailableError } from '../../core/errors';
import type { IssuedCredentials, SessionIssuerPort, SessionRequest } from '../../credentials/ports';
import type { RoleArn } from '../../domain/role-arn';
import {
  ENABLED_REGIONS_SINCE_VERSION,
  SELF_INSPECTION_SINCE_VERSION,
  SOURCE_IDENTITY_SINCE_VERSION,
  TEMPLATE_VERSION_TAG,
} from '../../domain/template-versions';
import {
  type ActionDecision,
  type AssumeRoleRequest,
  CredentialsExpiredError,
  type CustomerRoleSession,
  type CustomerRolesPort,
  type DenialCause,
  type DiscoveredAccount,
  type DiscoveredOu,
  InvalidPageTokenError,
  NotInOrganizationError,
  type OrganizationInfo,
  type OrgPage,
  ParentNotFoundError,
  PermissionDeniedError,
  type ResourceTag,
  RoleMissingError,
  RoleRefusedError,
  StackSetNotFoundError,
} from '../../ports/customer-roles';
import type { SandboxRole } from './sandbox-deployments';
import { SandboxApiError } from './sandbox-errors';
import type { SandboxOrganization } from './sandbox-organization';
import { organizationsPage, type PageRequest } from './sandbox-paging';

/** As STS: a session lasts 900 s unless asked for longer. */
const DEFAULT_SESSION_SECONDS = 900;

/**
 * STS for customer roles, by the sandbox's rules: only the trusted account may assume a role,
 * only when the role exists in an active account, and only with the External ID its trust
 * policy requires, if it requires one.
 */
export class SandboxCustomerRoles implements CustomerRolesPort, SessionIssuerPort {
  constructor(
    private readonly organization: SandboxOrganization,
    /** The account that calls STS: the platform's own. */
    private readonly callerAccountId: string,
  ) {}

  async assumeRole({
    role: arn,
    externalId,
    sessionName,
    durationSeconds = DEFAULT_SESSION_SECONDS,
  }: AssumeRoleRequest): Promise<CustomerRoleSession> {
    const role = this.admit(arn, externalId);
    return new SandboxRoleSession(
      this.organization,
      arn.accountId,
      role.name,
      sessionName,
      new Date(Date.now() + durationSeconds * 1000),
    );
  }

  /**
   * As STS: the trust policy of a role from a template older than SOURCE_IDENTITY_SINCE_VERSION
   * grants neither sts:SetSourceIdentity nor sts:TagSession, so asking for either is refused.
   */
  async issueSession(request: SessionRequest): Promise<IssuedCredentials> {
    const role = this.admit(request.role, request.externalId);
    const extras = request.sourceIdentity !== undefined || Object.keys(request.tags ?? {}).length > 0;
    if (extras && role.templateVersion < SOURCE_IDENTITY_SINCE_VERSION) {
      throw new RoleRefusedError(
        `AssumeRole refused: the role (template v${role.templateVersion}) allows neither sts:SetSourceIdentity nor sts:TagSession`,
      );
    }
    const session = this.organization.deployments.issueSession(role, {
      name: request.sessionName,
      expiresAt: new Date(Date.now() + request.durationSeconds * 1000),
      sourceIdentity: request.sourceIdentity ?? null,
      tags: request.tags ?? {},
    });
    const { accessKeyId, secretAccessKey, sessionToken, expiresAt: expiration } = session;
    return { accessKeyId, secretAccessKey, sessionToken, expiration };
  }

  /** The role, if its trust policy lets the platform in with this External ID. */
  private admit(arn: RoleArn, externalId: string | undefined): SandboxRole {
    const role = this.organization.deployments.role(arn.accountId, arn.name);
    const refused = (reason: string) => new RoleRefusedError(`AssumeRole refused: ${reason}`);
    if (!role || role.arn !== arn.arn) throw refused('no such role');
    if (role.trustedAccountId !== this.callerAccountId)
      throw refused('the trust policy names another account');
    const account = this.organization.account(arn.accountId);
    if (account && account.state !== 'ACTIVE') throw refused(`the account is ${account.state}`);
    if (role.externalId !== null && role.externalId !== externalId)
      throw refused('the External ID does not match');
    return role;
  }
}

class SandboxRoleSession implements CustomerRoleSession {
  constructor(
    private readonly organization: SandboxOrganization,
    private readonly accountId: string,
    private readonly roleName: string,
    private readonly sessionName: string,
    readonly expiresAt: Date,
  ) {}

  async callerIdentity() {
    const { partition } = this.organization;
    return {
      accountId: this.accountId,
      arn: `arn:${partition}:sts::${this.accountId}:assumed-role/${this.roleName}/${this.sessionName}`,
    };
  }

  async describeOrganization(): Promise<OrganizationInfo> {
    return this.organizationsCall('DescribeOrganization', undefined, undefined, () => {
      const { id, arn, managementAccountId } = this.organization;
      if (!this.organization.account(this.accountId)) throw new NotInOrganizationError('standalone account');
      return { id, arn, managementAccountId };
    });
  }

  async listDelegatedAdministrators(): Promise<readonly string[]> {
    const { managementAccountId, delegatedAdministrators } = this.organization;
    if (this.accountId !== managementAccountId && !delegatedAdministrators.includes(this.accountId)) {
      throw new PermissionDeniedError('organizations:ListDelegatedAdministrators');
    }
    // Read every page, as the AWS adapter's paginator does.
    const accountIds: string[] = [];
    let request: PageRequest = {};
    for (;;) {
      const page = organizationsPage(delegatedAdministrators, request);
      accountIds.push(...page.items);
      if (page.nextToken === undefined) return accountIds;
      request = { nextToken: page.nextToken };
    }
  }

  async listRoots(nextToken?: string): Promise<OrgPage<{ readonly id: string }>> {
    return this.organizationsCall('ListRoots', undefined, nextToken, () => {
      this.requireAdministrator();
      return organizationsPage([{ id: this.organization.rootId }], { nextToken });
    });
  }

  async listOrganizationalUnitsForParent(
    parentId: string,
    nextToken?: string,
  ): Promise<OrgPage<DiscoveredOu>> {
    return this.organizationsCall('ListOrganizationalUnitsForParent', parentId, nextToken, () => {
      this.requireAdministrator();
      this.requireListable(parentId);
      return organizationsPage(
        this.organization.children(parentId).ous.map(({ id, name }) => ({ id, name })),
        { nextToken },
      );
    });
  }

  async listAccountsForParent(parentId: string, nextToken?: string): Promise<OrgPage<DiscoveredAccount>> {
    return this.organizationsCall('ListAccountsForParent', parentId, nextToken, () => {
      this.requireAdministrator();
      this.requireListable(parentId);
      return organizationsPage(
        this.organization.children(parentId).accounts.map(({ id, name, email, state }) => ({
          id,
          name,
          email,
          state,
        })),
        { nextToken },
      );
    });
  }

  async listParents(childId: string): Promise<string | null> {
    return this.organizationsCall('ListParents', undefined, undefined, () => {
      this.requireAdministrator();
      return this.organization.parentOf(childId);
    });
  }

  async describeAccount(accountId: string): Promise<DiscoveredAccount | null> {
    return this.organizationsCall('DescribeAccount', undefined, undefined, () => {
      this.requireAdministrator();
      const account = this.organization.account(accountId);
      return account
        ? { id: account.id, name: account.name, email: account.email, state: account.state }
        : null;
    });
  }

  async listTagsForResource(resourceId: string, nextToken?: string): Promise<OrgPage<ResourceTag>> {
    return this.organizationsCall('ListTagsForResource', undefined, nextToken, () => {
      this.requireAdministrator();
      const resource = this.organization.account(resourceId) ?? this.organization.ou(resourceId);
      if (!resource) throw new SandboxApiError('TargetNotFoundException', `No account or OU ${resourceId}.`);
      const tags = Object.entries(resource.tags).map(([key, value]) => ({ key, value }));
      return organizationsPage(tags, { nextToken });
    });
  }

  /** As CloudFormation: only the StackSet's administrators see it, in its own region. */
  async stackInstance(
    stackSet: StackSetRef,
    accountId: string,
    callAs: 'SELF' | 'DELEGATED_ADMIN',
  ): Promise<StackInstance | null> {
    const { managementAccountId, delegatedAdministrators } = this.organization;
    const allowed =
      callAs === 'SELF'
        ? this.accountId === managementAccountId
        : delegatedAdministrators.includes(this.accountId);
    if (!allowed || this.denial('cloudformation:ListStackInstances') !== null) {
      throw new PermissionDeniedError('cloudformation:ListStackInstances');
    }
    const found = this.organization.deployments.stackSet(stackSet.name);
    if (!found || found.region !== stackSet.region) throw new StackSetNotFoundError(stackSet.name);
    const instance = found.instances.find((candidate) => candidate.accountId === accountId);
    if (!instance) return null;
    return {
      stackSetName: stackSet.name,
      region: stackSet.region,
      status: instance.status,
      detailedStatus: instance.detailedStatus ?? null,
      reason: instance.reason ?? null,
    };
  }

  /** As IAM's simulation: an SCP above the account, or the role's own policy lacking the action. */
  async simulate(actions: readonly string[]): Promise<readonly ActionDecision[]> {
    this.requireRole('iam:SimulatePrincipalPolicy');
    if (this.denial('iam:SimulatePrincipalPolicy') !== null) {
      throw new PermissionDeniedError('iam:SimulatePrincipalPolicy');
    }
    return actions.map((action) => ({ action, deniedBy: this.denial(action) }));
  }

  /** As Account Management's ListRegions, for the session's own account. */
  async enabledRegions(): Promise<readonly string[]> {
    if (this.denial('account:ListRegions') !== null) throw new PermissionDeniedError('account:ListRegions');
    const account = this.organization.account(this.accountId);
    return account ? [...account.enabledRegions] : [];
  }

  /** The role's only tag: the template version it was deployed from. */
  async roleTags(): Promise<Readonly<Record<string, string>>> {
    this.requireRole('iam:ListRoleTags');
    const role = this.role();
    if (!role || this.denial('iam:ListRoleTags') !== null)
      throw new PermissionDeniedError('iam:ListRoleTags');
    return { [TEMPLATE_VERSION_TAG]: String(role.templateVersion) };
  }

  /**
   * Why AWS would refuse the role an action, or null. An SCP comes first, as in AWS. A deleted
   * role's sessions may do nothing. A role's policy lacks the actions it was deployed without,
   * before template version 3, the simulation of its own policies, and before version 5 (of the
   * member templates; no discovery role has it) the account's regions. Listing its tags needs
   * no template grant: ReadOnlyAccess, which sandbox roles stand for, lists IAM tags.
   */
  private denial(action: string): DenialCause | null {
    if (this.organization.policies.denies(this.accountId, action)) return 'organizations';
    const role = this.role();
    if (!role || role.deniedActions.includes(action)) return 'implicit';
    const selfInspection = action === 'iam:SimulatePrincipalPolicy';
    if (selfInspection && role.templateVersion < SELF_INSPECTION_SINCE_VERSION) return 'implicit';
    if (action === 'account:ListRegions' && role.templateVersion < ENABLED_REGIONS_SINCE_VERSION)
      return 'implicit';
    return null;
  }

  /** IAM's reads of the session's own role answer NoSuchEntity once the customer deleted it. */
  private requireRole(action: string): void {
    if (this.role()) return;
    throw new RoleMissingError(
      action,
      new SandboxApiError('NoSuchEntity', `The role ${this.roleName} cannot be found.`),
    );
  }

  /** The session's role; undefined once the customer deleted it. */
  private role(): SandboxRole | undefined {
    return this.organization.deployments.role(this.accountId, this.roleName);
  }

  /** Organizations lets only the management account and delegated administrators list. */
  private requireAdministrator(): void {
    const { managementAccountId, delegatedAdministrators } = this.organization;
    if (this.accountId !== managementAccountId && !delegatedAdministrators.includes(this.accountId)) {
      throw new SandboxApiError(
        'AccessDeniedException',
        'Only the management account or a delegated admin may list.',
      );
    }
  }

  /** A role deployed with `denyOrganizationalUnits` may not list below those OUs. */
  private requireListable(parentId: string): void {
    const denied =
      this.organization.deployments.role(this.accountId, this.roleName)?.denyOrganizationalUnits ?? [];
    if (this.organization.isWithin(parentId, denied)) {
      throw new SandboxApiError('AccessDeniedException', `The role's policy denies listing ${parentId}.`);
    }
  }

  /** One Organizations call: expiry, the fault hook and rate limit, the answer, then AWS's error mapping. */
  private async organizationsCall<T>(
    api: string,
    parentId: string | undefined,
    nextToken: string | undefined,
    answer: () => T,
  ): Promise<T> {
    const action = `organizations:${api}`;
    try {
      if (Date.now() >= this.expiresAt.getTime()) {
        throw new SandboxApiError(
          'ExpiredTokenException',
          'The security token included in the request is expired',
        );
      }
      // The whole round trip before the answer, so refusals cost it too.
      await this.organization.roundTrip();
      this.organization.call({ api, callerAccountId: this.accountId, ...(parentId ? { parentId } : {}) });
      if (this.denial(action) !== null) {
        throw new SandboxApiError('AccessDeniedException', `The role may not call ${action}.`);
      }
      return answer();
    } catch (error: unknown) {
      if (!(error instanceof SandboxApiError)) throw error;
      switch (error.name) {
        case 'AccessDeniedException':
          throw new PermissionDeniedError(action, { cause: error });
        case 'TooManyRequestsException':
          throw new UpstreamThrottledError('AWS Organizations', error);
        case 'ExpiredTokenException':
          throw new CredentialsExpiredError(error.message, { cause: error });
        case 'ParentNotFoundException':
          throw new ParentNotFoundError(action, { cause: error });
        case 'InvalidInputException':
          if (nextToken !== undefined) throw new InvalidPageTokenError(action, { cause: error });
          throw error;
        default:
          throw new UpstreamUnavailableError('AWS Organizations', error);
      }
    }
  }
}
