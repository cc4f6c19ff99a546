import type { Clock } from '../core/clock';
import { UpstreamThrottledError } from '../core/errors';
import { type RetryPolicy, withRetries } from '../core/retry';
import { SessionCache } from '../core/session-cache';
import { shareOf, TokenBucket } from '../core/token-bucket';
import {
  ORGANIZATIONS_LIMITS,
  ORGANIZATIONS_RETRY,
  type OrganizationsApi,
} from '../domain/organizations-limits';
import {
  CredentialsExpiredError,
  type CustomerRoleSession,
  type DiscoveredAccount,
  type DiscoveredOu,
  type OrganizationInfo,
  type OrgPage,
} from '../ports/customer-roles';

export interface PacingSettings {
  /** The share of each published limit we use (the customer's own tools keep the rest). */
  readonly rateFraction: number;
  readonly clock: Clock;
  readonly random?: () => number;
  readonly retry?: RetryPolicy;
}

/**
 * The customer's Organizations API as a sync uses it: every call waits for a token of its own
 * API's bucket (so different APIs run in parallel), throttling and 5xx are retried with full
 * jitter, and the role session is renewed before it expires, or once when a call finds it expired.
 */
export class PacedOrganizations {
  /** Requests sent to Organizations, retries included. */
  calls = 0;
  /** Of those, the ones Organizations throttled (and that were retried, or failed the call). */
  throttles = 0;
  private readonly sessions: SessionCache<CustomerRoleSession>;
  private readonly buckets: Record<OrganizationsApi, TokenBucket>;

  constructor(
    private readonly role: { readonly arn: string; assume(): Promise<CustomerRoleSession> },
    private readonly settings: PacingSettings,
  ) {
    this.sessions = new SessionCache({
      expiresAt: (session) => session.expiresAt?.getTime(),
      clock: () => settings.clock.now(),
    });
    const bucket = (api: OrganizationsApi) =>
      new TokenBucket(shareOf(ORGANIZATIONS_LIMITS[api], settings.rateFraction), settings.clock);
    this.buckets = {
      DescribeOrganization: bucket('DescribeOrganization'),
      ListRoots: bucket('ListRoots'),
      ListOrganizationalUnitsForParent: bucket('ListOrganizationalUnitsForParent'),
      ListAccountsForParent: bucket('ListAccountsForParent'),
      ListParents: bucket('ListParents'),
      DescribeAccount: bucket('DescribeAccount'),
      ListTagsForResource: bucket('ListTagsForResource'),
    };
  }

  describeOrganization(): Promise<OrganizationInfo> {
    return this.call('DescribeOrganization', (session) => session.describeOrganization());
  }

  listRoots(nextToken?: string): Promise<OrgPage<{ readonly id: string }>> {
    return this.call('ListRoots', (session) => session.listRoots(nextToken));
  }

  listOrganizationalUnits(parentId: string, nextToken?: string): Promise<OrgPage<DiscoveredOu>> {
    return this.call('ListOrganizationalUnitsForParent', (session) =>
      session.listOrganizationalUnitsForParent(parentId, nextToken),
    );
  }

  listAccounts(parentId: string, nextToken?: string): Promise<OrgPage<DiscoveredAccount>> {
    return this.call('ListAccountsForParent', (session) =>
      session.listAccountsForParent(parentId, nextToken),
    );
  }

  listParents(childId: string): Promise<string | null> {
    return this.call('ListParents', (session) => session.listParents(childId));
  }

  describeAccount(accountId: string): Promise<DiscoveredAccount | null> {
    return this.call('DescribeAccount', (session) => session.describeAccount(accountId));
  }

  /** Every tag of an account or OU, all pages read. */
  async resourceTags(resourceId: string): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    let token: string | undefined;
    do {
      const page = await this.call('ListTagsForResource', (session) =>
        session.listTagsForResource(resourceId, token),
      );
      for (const { key, value } of page.items) tags[key] = value;
      token = page.nextToken;
    } while (token !== undefined);
    return tags;
  }

  private call<T>(api: OrganizationsApi, request: (session: CustomerRoleSession) => Promise<T>): Promise<T> {
    const { clock, random, retry = ORGANIZATIONS_RETRY } = this.settings;
    return withRetries(
      async () => {
        for (let renewed = false; ; renewed = true) {
          const { session } = await this.sessions.getOrCreate(this.role.arn, () => this.role.assume());
          await this.buckets[api].take();
          this.calls += 1;
          try {
            return await request(session);
          } catch (error: unknown) {
            if (error instanceof UpstreamThrottledError) this.throttles += 1;
            if (!(error instanceof CredentialsExpiredError) || renewed) throw error;
            this.sessions.forget(this.role.arn);
          }
        }
      },
      retry,
      clock,
      random,
    );
  }
}
