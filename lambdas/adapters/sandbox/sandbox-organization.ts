import { randomBytes, randomInt } from 'node:crypto';
import type { Partition } from '../../../schemas/api/common';
import type { AccountState, SandboxOrgFixture, SandboxOuFixture } from '../../../schemas/sandbox-org';
import type { Clock } from '../../core/clock';
import { NotFoundError } from '../../core/errors';
import { SandboxDeployments } from './sandbox-deployments';
import { SandboxApiError, SandboxConflict } from './sandbox-errors';
import { SandboxPolicies } from './sandbox-policies';
import { OrganizationsRateLimits } from './sandbox-rate-limits';

export interface SandboxAccount {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly email: string;
  readonly state: AccountState;
  readonly parentId: string;
  readonly tags: Readonly<Record<string, string>>;
  /** The regions enabled in the account, opted in or enabled by default. */
  readonly enabledRegions: readonly string[];
}

/** The regions AWS enables in every new account; the others need an opt-in. */
export const ENABLED_BY_DEFAULT = [
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
];

export interface SandboxOu {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly parentId: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The fixture's OUs and accounts, each with its ARN and parent, once each, with the management
 * account and the delegated administrators among them.
 */
function treeOf(fixture: SandboxOrgFixture, arnOf: (resource: string) => string) {
  const { id, managementAccountId, delegatedAdministrators } = fixture.organization;
  const accounts = new Map<string, SandboxAccount>();
  const ous = new Map<string, SandboxOu>();
  const add = (container: Pick<SandboxOuFixture, 'accounts' | 'organizationalUnits'>, parentId: string) => {
    for (const account of container.accounts) {
      if (accounts.has(account.id))
        throw new Error(`sandbox organization: account ${account.id} appears twice`);
      accounts.set(account.id, {
        ...account,
        arn: arnOf(`account/${id}/${account.id}`),
        parentId,
        enabledRegions: account.enabledRegions ?? ENABLED_BY_DEFAULT,
      });
    }
    for (const ou of container.organizationalUnits) {
      if (ous.has(ou.id)) throw new Error(`sandbox organization: OU ${ou.id} appears twice`);
      ous.set(ou.id, { id: ou.id, name: ou.name, arn: arnOf(`ou/${id}/${ou.id}`), parentId, tags: ou.tags });
      add(ou, ou.id);
    }
  };
  add(fixture.root, fixture.root.id);
  if (!accounts.has(managementAccountId)) {
    throw new Error(`sandbox organization: the management account ${managementAccountId} is not in the tree`);
  }
  for (const admin of delegatedAdministrators) {
    if (!accounts.has(admin))
      throw new Error(`sandbox organization: delegated admin ${admin} is not in the tree`);
  }
  return { accounts: [...accounts.values()], ous: [...ous.values()] };
}

/** One Organizations call, as the fault hook sees it. */
export interface SandboxCall {
  readonly api: string;
  /** The account whose session makes the call. */
  readonly callerAccountId: string;
  readonly parentId?: string;
}

export interface SandboxOptions {
  /**
   * Enforces the Organizations APIs' published per-account rate limits on this clock: a call beyond its API's bucket
   * fails with TooManyRequestsException, as AWS answers. Unlimited when absent.
   */
  readonly rateLimitClock?: Clock;
  /** Each Organizations call takes this long on this clock, as a round trip to AWS does. */
  readonly latency?: { readonly ms: number; readonly clock: Clock };
}

/**
 * The sandbox's AWS Organization: the tree from the fixture, the roles customers "deployed",
 * the Organizations API's paging, and the admin changes of the local routes. It holds no
 * credentials; trust is checked by rules.
 */
export class SandboxOrganization {
  readonly partition: Partition;
  readonly id: string;
  readonly arn: string;
  readonly managementAccountId: string;
  readonly rootId: string;
  readonly delegatedAdministrators: readonly string[];
  private readonly accounts = new Map<string, SandboxAccount>();
  private readonly ous = new Map<string, SandboxOu>();
  /** What customers deployed into it: roles, their sessions, member-role StackSets. */
  readonly deployments: SandboxDeployments;
  /**
   * Tests set this to inject faults: it sees every Organizations call first, and a
   * SandboxApiError it throws is what the caller gets (throttling, AccessDenied, expiry, 5xx).
   */
  onCall: ((call: SandboxCall) => void) | undefined;
  /** Every Organizations call made, in order; tests count them. */
  readonly calls: SandboxCall[] = [];
  private readonly rateLimits: OrganizationsRateLimits | undefined;
  /** The SCPs attached in it. */
  readonly policies = new SandboxPolicies(this);
  /** Each container's children, built on first use after a change: listings stay cheap at 50,000 accounts. */
  private childIndex: Map<string, { ous: SandboxOu[]; accounts: SandboxAccount[] }> | undefined;

  constructor(
    fixture: SandboxOrgFixture,
    readonly trustedAccountId: string,
    private readonly options: SandboxOptions = {},
  ) {
    this.partition = fixture.partition;
    this.deployments = new SandboxDeployments(fixture.partition, trustedAccountId);
    this.id = fixture.organization.id;
    this.managementAccountId = fixture.organization.managementAccountId;
    this.arn = this.organizationsArn(`organization/${this.id}`);
    this.rootId = fixture.root.id;
    this.delegatedAdministrators = fixture.organization.delegatedAdministrators;
    this.rateLimits = options.rateLimitClock && new OrganizationsRateLimits(options.rateLimitClock);
    const tree = treeOf(fixture, (resource) => this.organizationsArn(resource));
    for (const account of tree.accounts) this.putAccount(account);
    for (const ou of tree.ous) this.putOu(ou);
    if (this.accounts.has(trustedAccountId)) {
      throw new Error(`sandbox organization: the platform's account ${trustedAccountId} may not be a member`);
    }
  }

  account(accountId: string): SandboxAccount | undefined {
    return this.accounts.get(accountId);
  }

  ou(ouId: string): SandboxOu | undefined {
    return this.ous.get(ouId);
  }

  /** Records the call, lets the fault hook refuse it, then charges it to its rate limit. */
  call(call: SandboxCall): void {
    this.calls.push(call);
    this.onCall?.(call);
    this.rateLimits?.charge(call.callerAccountId, call.api);
  }

  /** Waits out a call's round trip, when the sandbox was given one. */
  async roundTrip(): Promise<void> {
    const { latency } = this.options;
    if (latency) await latency.clock.sleep(latency.ms);
  }

  /** The container directly above an account or OU; null when it is not in the organization. */
  parentOf(childId: string): string | null {
    return this.accounts.get(childId)?.parentId ?? this.ous.get(childId)?.parentId ?? null;
  }

  /** Whether a container is one of `ouIds` or lies below one of them. */
  isWithin(containerId: string, ouIds: readonly string[]): boolean {
    for (let id: string | null = containerId; id !== null; id = this.parentOf(id)) {
      if (ouIds.includes(id)) return true;
    }
    return false;
  }

  /** The OUs and accounts directly under a root or OU, in a stable order. */
  children(parentId: string): { ous: SandboxOu[]; accounts: SandboxAccount[] } {
    if (parentId !== this.rootId && !this.ous.has(parentId)) {
      throw new SandboxApiError('ParentNotFoundException', `No parent ${parentId}.`);
    }
    const { ous = [], accounts = [] } = this.indexOfChildren().get(parentId) ?? {};
    return { ous: [...ous], accounts: [...accounts] };
  }

  private indexOfChildren(): Map<string, { ous: SandboxOu[]; accounts: SandboxAccount[] }> {
    if (this.childIndex) return this.childIndex;
    const index = new Map<string, { ous: SandboxOu[]; accounts: SandboxAccount[] }>();
    const entry = (parentId: string) => {
      let children = index.get(parentId);
      if (!children) {
        children = { ous: [], accounts: [] };
        index.set(parentId, children);
      }
      return children;
    };
    for (const ou of this.ous.values()) entry(ou.parentId).ous.push(ou);
    for (const account of this.accounts.values()) entry(account.parentId).accounts.push(account);
    this.childIndex = index;
    return index;
  }

  private putAccount(account: SandboxAccount): void {
    this.accounts.set(account.id, account);
    this.childIndex = undefined;
  }

  private putOu(ou: SandboxOu): void {
    this.ous.set(ou.id, ou);
    this.childIndex = undefined;
  }

  createOrganizationalUnit(name: string, parentId: string): SandboxOu {
    this.requireContainer(parentId);
    const id = `ou-${this.rootId.slice(2)}-${randomBytes(4).toString('hex')}`;
    const ou: SandboxOu = { id, name, parentId, arn: this.organizationsArn(`ou/${this.id}/${id}`), tags: {} };
    this.putOu(ou);
    return ou;
  }

  renameOrganizationalUnit(id: string, name: string): SandboxOu {
    const ou = this.requireOu(id);
    const renamed = { ...ou, name };
    this.putOu(renamed);
    return renamed;
  }

  /** As AWS: only an empty OU can be deleted. */
  deleteOrganizationalUnit(id: string): SandboxOu {
    const ou = this.requireOu(id);
    const { ous, accounts } = this.children(id);
    if (ous.length + accounts.length > 0) {
      throw new SandboxConflict('OrganizationalUnitNotEmptyException: move or remove its children first.');
    }
    this.ous.delete(id);
    this.childIndex = undefined;
    return ou;
  }

  createAccount(name: string, email: string, parentId: string): SandboxAccount {
    this.requireContainer(parentId);
    let id: string;
    do id = String(randomInt(100_000_000_000, 1_000_000_000_000));
    while (this.accounts.has(id));
    const account: SandboxAccount = {
      id,
      name,
      email,
      state: 'ACTIVE',
      parentId,
      arn: this.organizationsArn(`account/${this.id}/${id}`),
      tags: {},
      enabledRegions: ENABLED_BY_DEFAULT,
    };
    this.putAccount(account);
    return account;
  }

  moveAccount(id: string, destinationParentId: string): SandboxAccount {
    const account = this.requireAccount(id);
    this.requireContainer(destinationParentId);
    const moved = { ...account, parentId: destinationParentId };
    this.putAccount(moved);
    return moved;
  }

  /** TagResource and UntagResource on an account: a null value removes the key. */
  tagAccount(id: string, tags: Readonly<Record<string, string | null>>): SandboxAccount {
    const account = this.requireAccount(id);
    const tagged = { ...account, tags: retagged(account.tags, tags) };
    this.putAccount(tagged);
    return tagged;
  }

  /** EnableRegion and DisableRegion, at once: the account's enabled regions become these. */
  setEnabledRegions(id: string, enabledRegions: readonly string[]): SandboxAccount {
    const account = this.requireAccount(id);
    const changed = { ...account, enabledRegions: [...new Set(enabledRegions)].sort() };
    this.putAccount(changed);
    return changed;
  }

  /** TagResource and UntagResource on an OU: a null value removes the key. */
  tagOrganizationalUnit(id: string, tags: Readonly<Record<string, string | null>>): SandboxOu {
    const ou = this.requireOu(id);
    const tagged = { ...ou, tags: retagged(ou.tags, tags) };
    this.putOu(tagged);
    return tagged;
  }

  /** CloseAccount: the account stays in the organization, pending closure. */
  closeAccount(id: string): SandboxAccount {
    const account = this.requireAccount(id);
    if (id === this.managementAccountId)
      throw new SandboxConflict('The management account cannot be closed.');
    const closed = { ...account, state: 'PENDING_CLOSURE' as const };
    this.putAccount(closed);
    return closed;
  }

  /** RemoveAccountFromOrganization: the account leaves and becomes standalone. */
  removeAccount(id: string): SandboxAccount {
    const account = this.requireAccount(id);
    if (id === this.managementAccountId) {
      throw new SandboxConflict('The management account cannot leave its organization.');
    }
    this.accounts.delete(id);
    this.childIndex = undefined;
    return account;
  }

  /** The whole tree and the roles, for `GET /local/sandbox`. */
  snapshot() {
    return {
      organization: {
        id: this.id,
        arn: this.arn,
        managementAccountId: this.managementAccountId,
        partition: this.partition,
        delegatedAdministrators: this.delegatedAdministrators,
      },
      root: { id: this.rootId, arn: this.organizationsArn(`root/${this.id}/${this.rootId}`) },
      organizationalUnits: [...this.ous.values()],
      accounts: [...this.accounts.values()],
      roles: this.deployments.snapshot(),
      policies: this.policies.list(),
    };
  }

  private requireContainer(parentId: string): void {
    if (parentId !== this.rootId && !this.ous.has(parentId)) throw new NotFoundError(`Parent ${parentId}`);
  }

  private requireOu(id: string): SandboxOu {
    const ou = this.ous.get(id);
    if (!ou) throw new NotFoundError(`Organizational unit ${id}`);
    return ou;
  }

  private requireAccount(id: string): SandboxAccount {
    const account = this.accounts.get(id);
    if (!account) throw new NotFoundError(`Account ${id}`);
    return account;
  }

  private organizationsArn(resource: string): string {
    return `arn:${this.partition}:organizations::${this.managementAccountId}:${resource}`;
  }
}

function retagged(
  tags: Readonly<Record<string, string>>,
  change: Readonly<Record<string, string | null>>,
): Record<string, string> {
  const next: Record<string, string> = { ...tags };
  for (const [key, value] of Object.entries(change)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}
