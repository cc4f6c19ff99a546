import type { RoleArn } from '../domain/role-arn';

/**
 * Port to customers' AWS accounts, as seen from the platform's account. Adapters map SDK errors
 * to the error classes below, or to UpstreamThrottledError / UpstreamUnavailableError; they
 * never keep the temporary credentials anywhere but in memory.
 */
export interface CustomerRolesPort {
  assumeRole(request: AssumeRoleRequest): Promise<CustomerRoleSession>;
}

export interface AssumeRoleRequest {
  /** A role ARN that passed `parseRoleArn`. */
  readonly role: RoleArn;
  /** Absent on purpose when probing that the role refuses callers without one. */
  readonly externalId?: string;
  readonly sessionName: string;
}

/** What a role session can tell us about its account and organization. */
export interface CustomerRoleSession {
  callerIdentity(): Promise<{ readonly accountId: string; readonly arn: string }>;
  describeOrganization(): Promise<OrganizationInfo>;
  /** Account ids of every delegated administrator; only management and delegated admins may ask. */
  listDelegatedAdministrators(): Promise<readonly string[]>;
}

export interface OrganizationInfo {
  readonly id: string;
  readonly arn: string;
  readonly managementAccountId: string;
}

/** STS refused to issue credentials: the trust policy does not let us in with this request. */
export class RoleRefusedError extends Error {}

/** The role's permissions do not allow an action. */
export class PermissionDeniedError extends Error {
  constructor(
    readonly action: string,
    options?: ErrorOptions,
  ) {
    super(`${action} was denied`, options);
  }
}

/** The account is not a member of any AWS Organization. */
export class NotInOrganizationError extends Error {}
