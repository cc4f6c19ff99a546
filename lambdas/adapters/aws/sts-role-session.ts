import type { AccountClient, ListRegionsCommandInput } from '@aws-sdk/client-account';
import { CloudFormationClient, ListStackInstancesCommand } from '@aws-sdk/client-cloudformation';
import {
  type EvaluationResult,
  IAMClient,
  paginateListRoleTags,
  paginateSimulatePrincipalPolicy,
} from '@aws-sdk/client-iam';
import {
  AccessDeniedException,
  type Account,
  AccountNotFoundException,
  AWSOrganizationsNotInUseException,
  ChildNotFoundException,
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  InvalidInputException,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  OrganizationsClient,
  ParentNotFoundException,
  paginateListDelegatedAdministrators,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { StackSetRef } from '../../../schemas/api/common';
import { type OrgAccountState, orgAccountStateSchema, type StackInstance } from '../../../schemas/sync';
import { errorName, UpstreamThrottledError, UpstreamUnavailableError } from '../../core/errors';
import { traced } from '../../core/tracer';
import type { RoleArn } from '../../domain/role-arn';
import {
  type ActionDecision,
  CredentialsExpiredError,
  type CustomerRoleSession,
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
  StackSetNotFoundError,
} from '../../ports/customer-roles';
import { ACCESS_DENIED, accountFailure, iamFailure, STS_THROTTLING } from './aws-failures';
import { stsFailure } from './sts-answers';

export interface SessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration?: Date;
}

/** The most a page of Organizations may hold. */
const MAX_RESULTS = 20;

/**
 * A customer role's session: its own STS, Organizations, IAM and CloudFormation clients, made
 * with the session's credentials, which live nowhere else.
 */
export class SdkRoleSession implements CustomerRoleSession {
  readonly expiresAt: Date | undefined;
  private readonly accountRegion: string;
  private readonly sts: STSClient;
  private readonly organizations: OrganizationsClient;
  private readonly iam: IAMClient;
  /** Made on first use, its module loaded then: only the member check reads regions. */
  private account: AccountClient | undefined;

  constructor(
    private readonly role: RoleArn,
    private readonly credentials: SessionCredentials,
    stsRegion: string,
    /**
     * IAM, like Organizations and Account Management, has one endpoint per partition, which this
     * region reaches.
     */
    organizationsRegion: string,
  ) {
    this.expiresAt = credentials.expiration;
    this.accountRegion = organizationsRegion;
    // Traced, so the customer's calls show in the invocation's trace beside ours.
    this.sts = traced(new STSClient({ region: stsRegion, credentials }));
    // The callers retry IAM's throttling with their own backoff.
    this.iam = traced(new IAMClient({ region: organizationsRegion, credentials, maxAttempts: 1 }));
    // The sync engine paces and retries Organizations calls itself, with its own budget.
    this.organizations = traced(
      new OrganizationsClient({
        region: organizationsRegion,
        credentials,
        maxAttempts: 1,
      }),
    );
  }

  async callerIdentity() {
    try {
      const answer = await this.sts.send(new GetCallerIdentityCommand({}));
      if (!answer.Account || !answer.Arn) throw new UpstreamUnavailableError('AWS STS');
      return { accountId: answer.Account, arn: answer.Arn };
    } catch (error: unknown) {
      throw stsFailure(error);
    }
  }

  async describeOrganization(): Promise<OrganizationInfo> {
    try {
      const { Organization: org } = await this.organizations.send(new DescribeOrganizationCommand({}));
      if (!org?.Id || !org.Arn || !org.MasterAccountId)
        throw new UpstreamUnavailableError('AWS Organizations');
      return { id: org.Id, arn: org.Arn, managementAccountId: org.MasterAccountId };
    } catch (error: unknown) {
      throw organizationsFailure(error, 'organizations:DescribeOrganization');
    }
  }

  async listDelegatedAdministrators(): Promise<readonly string[]> {
    const accountIds: string[] = [];
    try {
      for await (const page of paginateListDelegatedAdministrators({ client: this.organizations }, {})) {
        for (const admin of page.DelegatedAdministrators ?? []) if (admin.Id) accountIds.push(admin.Id);
      }
    } catch (error: unknown) {
      throw organizationsFailure(error, 'organizations:ListDelegatedAdministrators');
    }
    return accountIds;
  }

  async listRoots(nextToken?: string): Promise<OrgPage<{ readonly id: string }>> {
    try {
      const answer = await this.organizations.send(
        new ListRootsCommand({ MaxResults: MAX_RESULTS, NextToken: nextToken }),
      );
      return {
        items: (answer.Roots ?? []).flatMap((root) => (root.Id ? [{ id: root.Id }] : [])),
        ...(answer.NextToken ? { nextToken: answer.NextToken } : {}),
      };
    } catch (error: unknown) {
      throw listingFailure(error, 'organizations:ListRoots', nextToken);
    }
  }

  async listOrganizationalUnitsForParent(
    parentId: string,
    nextToken?: string,
  ): Promise<OrgPage<DiscoveredOu>> {
    try {
      const answer = await this.organizations.send(
        new ListOrganizationalUnitsForParentCommand({
          ParentId: parentId,
          MaxResults: MAX_RESULTS,
          NextToken: nextToken,
        }),
      );
      return {
        items: (answer.OrganizationalUnits ?? []).flatMap((ou) =>
          ou.Id ? [{ id: ou.Id, name: ou.Name ?? ou.Id }] : [],
        ),
        ...(answer.NextToken ? { nextToken: answer.NextToken } : {}),
      };
    } catch (error: unknown) {
      throw listingFailure(error, 'organizations:ListOrganizationalUnitsForParent', nextToken);
    }
  }

  async listAccountsForParent(parentId: string, nextToken?: string): Promise<OrgPage<DiscoveredAccount>> {
    try {
      const answer = await this.organizations.send(
        new ListAccountsForParentCommand({
          ParentId: parentId,
          MaxResults: MAX_RESULTS,
          NextToken: nextToken,
        }),
      );
      return {
        items: (answer.Accounts ?? []).flatMap((account) =>
          account.Id ? [discoveredAccount({ ...account, Id: account.Id })] : [],
        ),
        ...(answer.NextToken ? { nextToken: answer.NextToken } : {}),
      };
    } catch (error: unknown) {
      throw listingFailure(error, 'organizations:ListAccountsForParent', nextToken);
    }
  }

  async listParents(childId: string): Promise<string | null> {
    try {
      const answer = await this.organizations.send(new ListParentsCommand({ ChildId: childId }));
      return answer.Parents?.[0]?.Id ?? null;
    } catch (error: unknown) {
      if (error instanceof ChildNotFoundException) return null;
      throw listingFailure(error, 'organizations:ListParents', undefined);
    }
  }

  async describeAccount(accountId: string): Promise<DiscoveredAccount | null> {
    try {
      const { Account: account } = await this.organizations.send(
        new DescribeAccountCommand({ AccountId: accountId }),
      );
      return account?.Id ? discoveredAccount({ ...account, Id: account.Id }) : null;
    } catch (error: unknown) {
      if (error instanceof AccountNotFoundException) return null;
      throw listingFailure(error, 'organizations:DescribeAccount', undefined);
    }
  }

  async listTagsForResource(resourceId: string, nextToken?: string): Promise<OrgPage<ResourceTag>> {
    try {
      const answer = await this.organizations.send(
        new ListTagsForResourceCommand({ ResourceId: resourceId, NextToken: nextToken }),
      );
      return {
        items: (answer.Tags ?? []).flatMap((tag) =>
          tag.Key ? [{ key: tag.Key, value: tag.Value ?? '' }] : [],
        ),
        ...(answer.NextToken ? { nextToken: answer.NextToken } : {}),
      };
    } catch (error: unknown) {
      throw listingFailure(error, 'organizations:ListTagsForResource', nextToken);
    }
  }

  async stackInstance(
    stackSet: StackSetRef,
    accountId: string,
    callAs: 'SELF' | 'DELEGATED_ADMIN',
  ): Promise<StackInstance | null> {
    // StackSets are regional: the client goes to the StackSet's region, with this session.
    const cloudFormation = traced(
      new CloudFormationClient({
        region: stackSet.region,
        credentials: this.credentials,
      }),
    );
    try {
      const { Summaries = [] } = await cloudFormation.send(
        new ListStackInstancesCommand({
          StackSetName: stackSet.name,
          StackInstanceAccount: accountId,
          StackInstanceRegion: stackSet.region,
          CallAs: callAs,
        }),
      );
      const [summary] = Summaries;
      if (!summary) return null;
      return {
        stackSetName: stackSet.name,
        region: stackSet.region,
        status: summary.Status ?? null,
        detailedStatus: summary.StackInstanceStatus?.DetailedStatus ?? null,
        reason: summary.StatusReason ?? null,
      };
    } catch (error: unknown) {
      const name = errorName(error);
      if (name === 'StackSetNotFoundException')
        throw new StackSetNotFoundError(stackSet.name, { cause: error });
      if (ACCESS_DENIED.has(name)) {
        throw new PermissionDeniedError('cloudformation:ListStackInstances', { cause: error });
      }
      if (STS_THROTTLING.has(name)) throw new UpstreamThrottledError('AWS CloudFormation', error);
      throw new UpstreamUnavailableError('AWS CloudFormation', error);
    } finally {
      cloudFormation.destroy();
    }
  }

  async simulate(actions: readonly string[], onRoleItself: boolean): Promise<readonly ActionDecision[]> {
    const decisions: ActionDecision[] = [];
    try {
      const pages = paginateSimulatePrincipalPolicy(
        { client: this.iam },
        {
          PolicySourceArn: this.role.arn,
          ActionNames: [...actions],
          ...(onRoleItself ? { ResourceArns: [this.role.arn] } : {}),
        },
      );
      for await (const page of pages) {
        for (const result of page.EvaluationResults ?? []) {
          if (result.EvalActionName) {
            decisions.push({ action: result.EvalActionName, deniedBy: denialCause(result) });
          }
        }
      }
    } catch (error: unknown) {
      throw iamFailure(error, 'iam:SimulatePrincipalPolicy');
    }
    return decisions;
  }

  async enabledRegions(): Promise<readonly string[]> {
    const { AccountClient, paginateListRegions } = await import('@aws-sdk/client-account');
    this.account ??= traced(
      new AccountClient({ region: this.accountRegion, credentials: this.credentials, maxAttempts: 1 }),
    );
    const regions: string[] = [];
    try {
      const input: ListRegionsCommandInput = {
        RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'],
        MaxResults: 50,
      };
      for await (const page of paginateListRegions({ client: this.account }, input)) {
        for (const { RegionName } of page.Regions ?? []) if (RegionName) regions.push(RegionName);
      }
    } catch (error: unknown) {
      throw accountFailure(error, 'account:ListRegions');
    }
    return regions.sort();
  }

  async roleTags(): Promise<Readonly<Record<string, string>>> {
    const tags: Record<string, string> = {};
    try {
      for await (const page of paginateListRoleTags({ client: this.iam }, { RoleName: this.role.name })) {
        for (const { Key, Value } of page.Tags ?? []) if (Key !== undefined) tags[Key] = Value ?? '';
      }
    } catch (error: unknown) {
      throw iamFailure(error, 'iam:ListRoleTags');
    }
    return tags;
  }
}

/**
 * Why the simulation denies an action, naming the outer guard first: an SCP or RCP denies before
 * a boundary is read, and a boundary before the role's own policies.
 */
function denialCause(result: EvaluationResult): DenialCause | null {
  if (result.EvalDecision === 'allowed') return null;
  if (result.OrganizationsDecisionDetail?.AllowedByOrganizations === false) return 'organizations';
  if (result.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary === false) return 'boundary';
  return result.EvalDecision === 'explicitDeny' ? 'explicit' : 'implicit';
}

function discoveredAccount(account: Account & { Id: string }): DiscoveredAccount {
  return {
    id: account.Id,
    name: account.Name ?? account.Id,
    email: account.Email ?? null,
    state: accountState(account),
  };
}

/** `State` replaces the older `Status`; read the new field and fall back to the old one. */
function accountState(account: Account): OrgAccountState {
  const parsed = orgAccountStateSchema.safeParse(account.State ?? account.Status);
  // An unknown future state is not a reason to use the account.
  return parsed.success ? parsed.data : 'SUSPENDED';
}

function listingFailure(error: unknown, action: string, nextToken: string | undefined): unknown {
  if (errorName(error) === 'ExpiredTokenException') {
    return new CredentialsExpiredError('The session expired', { cause: error });
  }
  if (error instanceof ParentNotFoundException) return new ParentNotFoundError(action, { cause: error });
  if (error instanceof InvalidInputException && nextToken !== undefined) {
    return new InvalidPageTokenError(action, { cause: error });
  }
  return organizationsFailure(error, action);
}

function organizationsFailure(error: unknown, action: string): unknown {
  if (error instanceof UpstreamUnavailableError) return error;
  if (error instanceof AccessDeniedException) return new PermissionDeniedError(action, { cause: error });
  if (error instanceof AWSOrganizationsNotInUseException) {
    return new NotInOrganizationError('The account is not in an organization', { cause: error });
  }
  if (error instanceof TooManyRequestsException)
    return new UpstreamThrottledError('AWS Organizations', error);
  return new UpstreamUnavailableError('AWS Organizations', error);
}
