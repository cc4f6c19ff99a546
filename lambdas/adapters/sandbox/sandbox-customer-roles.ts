import {
  type AssumeRoleRequest,
  type CustomerRoleSession,
  type CustomerRolesPort,
  NotInOrganizationError,
  type OrganizationInfo,
  PermissionDeniedError,
  RoleRefusedError,
} from '../../role-test/ports';
import type { PageRequest, SandboxOrganization } from './sandbox-organization';

/**
 * STS for customer roles, by the sandbox's rules: only the trusted account may assume a role,
 * only when the role exists in an active account, and only with the External ID its trust
 * policy requires, if it requires one.
 */
export class SandboxCustomerRoles implements CustomerRolesPort {
  constructor(
    private readonly organization: SandboxOrganization,
    /** The account that calls STS: the platform's own. */
    private readonly callerAccountId: string,
  ) {}

  async assumeRole({ role: arn, externalId, sessionName }: AssumeRoleRequest): Promise<CustomerRoleSession> {
    const role = this.organization.role(arn.accountId, arn.name);
    const refused = (reason: string) => new RoleRefusedError(`AssumeRole refused: ${reason}`);
    if (!role || role.arn !== arn.arn) throw refused('no such role');
    if (role.trustedAccountId !== this.callerAccountId)
      throw refused('the trust policy names another account');
    const account = this.organization.account(arn.accountId);
    if (account && account.state !== 'ACTIVE') throw refused(`the account is ${account.state}`);
    if (role.externalId !== null && role.externalId !== externalId)
      throw refused('the External ID does not match');
    return new SandboxRoleSession(this.organization, arn.accountId, role.name, sessionName);
  }
}

class SandboxRoleSession implements CustomerRoleSession {
  constructor(
    private readonly organization: SandboxOrganization,
    private readonly accountId: string,
    private readonly roleName: string,
    private readonly sessionName: string,
  ) {}

  async callerIdentity() {
    const { partition } = this.organization;
    return {
      accountId: this.accountId,
      arn: `arn:${partition}:sts::${this.accountId}:assumed-role/${this.roleName}/${this.sessionName}`,
    };
  }

  async describeOrganization(): Promise<OrganizationInfo> {
    const { id, arn, managementAccountId } = this.organization;
    if (!this.organization.account(this.accountId)) throw new NotInOrganizationError('standalone account');
    return { id, arn, managementAccountId };
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
      const page = this.organization.page(delegatedAdministrators, request);
      accountIds.push(...page.items);
      if (page.nextToken === undefined) return accountIds;
      request = { nextToken: page.nextToken };
    }
  }
}
