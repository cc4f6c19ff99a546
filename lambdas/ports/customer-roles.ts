import type { StackSetRef } from '../../schemas/api/common';
import type { OrgAccountState, StackInstance } from '../../schemas/sync';
import { AppError, errorName } from '../core/errors';
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
  /** @default 900 s, the shortest session STS issues; a chained session lasts at most 3,600 s. */
  readonly durationSeconds?: number;
}

/**
 * What a role session can tell us about its account and organization: who it is, and the three
 * readers below. The `list…` calls make exactly one Organizations request each and return its
 * page as AWS sent it (possibly empty, with a token), so the caller controls paging, rate and
 * retries.
 */
export interface CustomerRoleSession
  extends OrganizationReader,
    OrganizationTreeReader,
    StackSetReader,
    RoleInspector,
    RegionReader {
  /** When the session's credentials run out; undefined when unknown. */
  readonly expiresAt: Date | undefined;
  callerIdentity(): Promise<{ readonly accountId: string; readonly arn: string }>;
}

/** The organization itself: what the role test and the start of a walk ask. */
export interface OrganizationReader {
  describeOrganization(): Promise<OrganizationInfo>;
  /** Account ids of every delegated administrator; only management and delegated admins may ask. */
  listDelegatedAdministrators(): Promise<readonly string[]>;
}

/** The organization's tree: what a walk, and a targeted read, ask. */
export interface OrganizationTreeReader {
  listRoots(nextToken?: string): Promise<OrgPage<{ readonly id: string }>>;
  listOrganizationalUnitsForParent(parentId: string, nextToken?: string): Promise<OrgPage<DiscoveredOu>>;
  listAccountsForParent(parentId: string, nextToken?: string): Promise<OrgPage<DiscoveredAccount>>;
  /** The root or OU directly above an account or OU; null when it is not in the organization. */
  listParents(childId: string): Promise<string | null>;
  /** One account; null when it is not in the organization. */
  describeAccount(accountId: string): Promise<DiscoveredAccount | null>;
  /** A page of an account's (or OU's) tags. */
  listTagsForResource(resourceId: string, nextToken?: string): Promise<OrgPage<ResourceTag>>;
}

/** The session's own account's regions, read by the member check. */
export interface RegionReader {
  /** The regions the account has enabled (opted in, or enabled by default), all pages read. */
  enabledRegions(): Promise<readonly string[]>;
}

/** The member-role StackSet, read by the member check. */
export interface StackSetReader {
  /**
   * The StackSet's instance in one account (in the StackSet's region); null when it has none.
   * `callAs`: SELF from the management account, DELEGATED_ADMIN from a delegated administrator.
   */
  stackInstance(
    stackSet: StackSetRef,
    accountId: string,
    callAs: 'SELF' | 'DELEGATED_ADMIN',
  ): Promise<StackInstance | null>;
}

/**
 * The role looking at itself through IAM: what its policies allow, and the tags it carries. Both
 * throw PermissionDeniedError when the role may not ask.
 */
export interface RoleInspector {
  /**
   * Simulates the actions for the role, as AWS would decide them with its identity policies, its
   * permissions boundary and the organization's SCPs. `onRoleItself`: against the role's own ARN
   * as the resource, for actions granted on it only; otherwise against any resource.
   */
  simulate(actions: readonly string[], onRoleItself: boolean): Promise<readonly ActionDecision[]>;
  /** The role's tags. */
  roleTags(): Promise<Readonly<Record<string, string>>>;
}

/** Why AWS would deny an action: no statement allows it, a statement denies it, an SCP or RCP, a boundary. */
export type DenialCause = 'implicit' | 'explicit' | 'organizations' | 'boundary';

export interface ActionDecision {
  readonly action: string;
  /** Null when the action is allowed. */
  readonly deniedBy: DenialCause | null;
}

export interface OrgPage<T> {
  readonly items: readonly T[];
  readonly nextToken?: string;
}

export interface DiscoveredOu {
  readonly id: string;
  readonly name: string;
}

export interface DiscoveredAccount {
  readonly id: string;
  readonly name: string;
  readonly email: string | null;
  readonly state: OrgAccountState;
}

export interface ResourceTag {
  readonly key: string;
  readonly value: string;
}

export interface OrganizationInfo {
  readonly id: string;
  readonly arn: string;
  readonly managementAccountId: string;
}

/** STS refused to issue credentials: the trust policy does not let us in with this request. */
export class RoleRefusedError extends Error {}

/**
 * IAM does not know the role a session belongs to (NoSuchEntity on the role's own reads): it was
 * deleted after we assumed it, or an emulator lets anyone assume roles that do not exist. A
 * verdict on the role, never retried.
 */
export class RoleMissingError extends AppError {
  constructor(action: string, cause: unknown) {
    super('ROLE_NOT_ASSUMABLE', `IAM does not know the role (${action} answered ${errorName(cause)}).`, {
      cause,
      hint: 'The role does not exist (any more) in its account: deploy it again, then test it.',
    });
  }
}

/**
 * AWS answered the request itself with an error that asking again cannot change (invalid input,
 * an action the endpoint does not implement): never retried.
 */
export class RequestRefusedError extends AppError {
  constructor(service: string, action: string, cause: unknown) {
    super('UPSTREAM_UNAVAILABLE', `${service} refused ${action} (${errorName(cause)}).`, { cause });
  }
}

/** The role's permissions do not allow an action. */
export class PermissionDeniedError extends Error {
  constructor(
    readonly action: string,
    options?: ErrorOptions,
  ) {
    super(`${action} was denied`, options);
  }
}

/** The StackSet does not exist, or is not visible to the caller. */
export class StackSetNotFoundError extends Error {}

/** The account is not a member of any AWS Organization. */
export class NotInOrganizationError extends Error {}

/** The session's credentials ran out (or were revoked) before the call. */
export class CredentialsExpiredError extends Error {}

/** The parent of a listing no longer exists: the tree changed while we walked it. */
export class ParentNotFoundError extends Error {}

/** Organizations refused a saved `NextToken` (tokens expire): list the container again. */
export class InvalidPageTokenError extends Error {}
