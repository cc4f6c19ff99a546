import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { SandboxCustomerRoles } from '../../../lambdas/adapters/sandbox/sandbox-customer-roles';
import { SandboxOrganization } from '../../../lambdas/adapters/sandbox/sandbox-organization';
import { organizationsPage } from '../../../lambdas/adapters/sandbox/sandbox-paging';
import { UpstreamThrottledError } from '../../../lambdas/core/errors';
import { parseRoleArn } from '../../../lambdas/domain/role-arn';
import { RoleRefusedError } from '../../../lambdas/ports/customer-roles';
import { sandboxOrgFixtureSchema } from '../../../schemas/sandbox-org';

const PLATFORM = '123456789012';
const fixture = sandboxOrgFixtureSchema.parse(parse(readFileSync('local/sandbox-org.yaml', 'utf8')));

function sandbox() {
  const organization = new SandboxOrganization(fixture, PLATFORM);
  return { organization, roles: new SandboxCustomerRoles(organization, PLATFORM) };
}

function role(arn: string) {
  return parseRoleArn(arn, { trustedAccountId: PLATFORM, allowedPartitions: ['aws'] });
}

describe('the sandbox organization fixture', () => {
  const { organization } = sandbox();
  const tree = organization.snapshot();

  it('has a few dozen accounts in every state', () => {
    const states = new Set(tree.accounts.map((account) => account.state));

    expect(tree.accounts.length).toBeGreaterThanOrEqual(24);
    expect(states).toEqual(new Set(['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE']));
  });

  it('nests OUs at least three levels deep', () => {
    const parents = new Map(tree.organizationalUnits.map((ou) => [ou.id, ou.parentId]));
    const depth = (id: string): number =>
      id === tree.root.id ? 0 : 1 + depth(parents.get(id) ?? tree.root.id);

    expect(Math.max(...tree.organizationalUnits.map((ou) => depth(ou.id)))).toBeGreaterThanOrEqual(3);
  });

  it('builds ARNs in the organization partition, with AWS identifier formats', () => {
    expect(tree.organization.arn).toBe(
      `arn:aws:organizations::${tree.organization.managementAccountId}:organization/${tree.organization.id}`,
    );
    for (const ou of tree.organizationalUnits) expect(ou.id).toMatch(/^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/);
    for (const account of tree.accounts) {
      expect(account.arn).toBe(
        `arn:aws:organizations::${tree.organization.managementAccountId}:account/${tree.organization.id}/${account.id}`,
      );
    }
  });

  it('refuses a fixture whose management account is not in the tree', () => {
    const broken = {
      ...fixture,
      organization: { ...fixture.organization, managementAccountId: '999999999999' },
    };

    expect(() => new SandboxOrganization(broken, PLATFORM)).toThrow(
      'management account 999999999999 is not in the tree',
    );
  });
});

describe('sandbox paging', () => {
  const items = Array.from({ length: 45 }, (_, i) => i);

  function readAll(maxResults?: number) {
    const pages: number[][] = [];
    let nextToken: string | undefined;
    do {
      const page = organizationsPage(items, { maxResults, nextToken });
      pages.push([...page.items]);
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return pages;
  }

  it('answers at most 20 a page, may start with an empty page, and loses nothing', () => {
    const pages = readAll();

    expect(pages[0]).toEqual([]);
    expect(pages.every((page) => page.length <= 20)).toBe(true);
    expect(pages.flat()).toEqual(items);
  });

  it('refuses more than 20 results a page and a token it did not issue', () => {
    expect(() => organizationsPage(items, { maxResults: 21 })).toThrow('MaxResults must be 1 to 20.');
    expect(() => organizationsPage(items, { nextToken: 'bogus' })).toThrow('The NextToken is not valid.');
  });
});

describe('sandbox trust rules', () => {
  const management = fixture.organization.managementAccountId;

  it('lets the platform in with the External ID the role requires, and nobody without it', async () => {
    const { organization, roles } = sandbox();
    const { arn } = organization.deployments.createRole({
      accountId: management,
      roleName: 'Discovery',
      externalId: 't:abc',
    });

    await expect(
      roles.assumeRole({ role: role(arn), externalId: 't:abc', sessionName: 's' }),
    ).resolves.toBeDefined();
    await expect(roles.assumeRole({ role: role(arn), sessionName: 's' })).rejects.toBeInstanceOf(
      RoleRefusedError,
    );
    await expect(
      roles.assumeRole({ role: role(arn), externalId: 't:xyz', sessionName: 's' }),
    ).rejects.toBeInstanceOf(RoleRefusedError);
  });

  it('lets anyone from the trusted account into a role created without the condition', async () => {
    const { organization, roles } = sandbox();
    const { arn } = organization.deployments.createRole({
      accountId: management,
      roleName: 'Lax',
      externalId: null,
    });

    await expect(roles.assumeRole({ role: role(arn), sessionName: 's' })).resolves.toBeDefined();
  });

  it('refuses any other caller account, a missing role and a suspended account', async () => {
    const { organization } = sandbox();
    const suspended = organization.snapshot().accounts.find((account) => account.state === 'SUSPENDED');
    const roleInSuspended = organization.deployments.createRole({
      accountId: suspended?.id ?? '',
      roleName: 'R',
      externalId: null,
    });
    const { arn } = organization.deployments.createRole({
      accountId: management,
      roleName: 'R',
      externalId: null,
    });
    const outsider = new SandboxCustomerRoles(organization, '555555555555');
    const platform = new SandboxCustomerRoles(organization, PLATFORM);

    await expect(outsider.assumeRole({ role: role(arn), sessionName: 's' })).rejects.toBeInstanceOf(
      RoleRefusedError,
    );
    await expect(
      platform.assumeRole({ role: role(`arn:aws:iam::${management}:role/Missing`), sessionName: 's' }),
    ).rejects.toBeInstanceOf(RoleRefusedError);
    await expect(
      platform.assumeRole({ role: role(roleInSuspended.arn), sessionName: 's' }),
    ).rejects.toBeInstanceOf(RoleRefusedError);
  });

  it('lets a member account describe its organization but not list delegated administrators', async () => {
    const { organization, roles } = sandbox();
    const member = organization
      .snapshot()
      .accounts.find(
        (account) =>
          account.id !== management && !fixture.organization.delegatedAdministrators.includes(account.id),
      );
    const { arn } = organization.deployments.createRole({
      accountId: member?.id ?? '',
      roleName: 'R',
      externalId: null,
    });
    const session = await roles.assumeRole({ role: role(arn), sessionName: 's' });

    await expect(session.describeOrganization()).resolves.toMatchObject({ managementAccountId: management });
    await expect(session.listDelegatedAdministrators()).rejects.toThrow(
      'organizations:ListDelegatedAdministrators was denied',
    );
  });
});

describe('sandbox rate limits', () => {
  function limitedSandbox() {
    let now = 0;
    const advance = (ms: number) => {
      now += ms;
    };
    const clock = { now: () => now, sleep: async (ms: number) => advance(ms) };
    const organization = new SandboxOrganization(fixture, PLATFORM, { rateLimitClock: clock });
    const roles = new SandboxCustomerRoles(organization, PLATFORM);
    const { arn } = organization.deployments.createRole({
      accountId: fixture.organization.managementAccountId,
      roleName: 'Discovery',
      externalId: null,
    });
    return { roles, arn, advance, rootId: organization.rootId };
  }

  /** How many of `count` calls made at one instant the sandbox lets through. */
  async function admitted(calls: Array<() => Promise<unknown>>): Promise<number> {
    const outcomes = await Promise.allSettled(calls.map((call) => call()));
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    for (const outcome of refused) expect(outcome.reason).toBeInstanceOf(UpstreamThrottledError);
    return outcomes.length - refused.length;
  }

  it("admits an API's burst at once, then its rate, per API and per calling account", async () => {
    const { roles, arn, advance, rootId } = limitedSandbox();
    const session = await roles.assumeRole({ role: role(arn), sessionName: 's' });
    const listAccounts = () => session.listAccountsForParent(rootId);
    const listOus = () => session.listOrganizationalUnitsForParent(rootId);

    expect(await admitted(Array.from({ length: 10 }, () => listAccounts))).toBe(8);
    expect(await admitted([listAccounts])).toBe(0);
    expect(await admitted(Array.from({ length: 10 }, () => listOus))).toBe(8);
    expect(await admitted(Array.from({ length: 3 }, () => () => session.describeOrganization()))).toBe(2);

    advance(400); // 5 a second: two more tokens
    expect(await admitted(Array.from({ length: 3 }, () => listAccounts))).toBe(2);
    advance(10_000); // refilled, but never beyond the burst
    expect(await admitted(Array.from({ length: 10 }, () => listAccounts))).toBe(8);
  });
});

describe("the sandbox's sessions for the credentials broker", () => {
  const ACCOUNT = '210000005065';
  const base = {
    role: role(`arn:aws:iam::${ACCOUNT}:role/Member`),
    externalId: 'tenant:secret',
    sessionName: 'scanner@ws-1@tenant',
    durationSeconds: 900,
  };
  const extras = {
    sourceIdentity: 'scanner',
    tags: { tenant: 'tenant', workspace: 'ws-1', consumer: 'scanner' },
  };

  it('issues credentials that name the session, with its SourceIdentity, for a current template', async () => {
    const { organization, roles } = sandbox();
    organization.deployments.createRole({
      accountId: ACCOUNT,
      roleName: 'Member',
      externalId: 'tenant:secret',
    });

    const issued = await roles.issueSession({ ...base, ...extras });

    expect(organization.deployments.session(issued.accessKeyId)).toMatchObject({
      sessionToken: issued.sessionToken,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Member/scanner@ws-1@tenant`,
      sourceIdentity: 'scanner',
      tags: extras.tags,
    });
  });

  it('refuses a SourceIdentity or tags on a role from a template before version 2, but not a plain session', async () => {
    const { organization, roles } = sandbox();
    organization.deployments.createRole({
      accountId: ACCOUNT,
      roleName: 'Member',
      externalId: 'tenant:secret',
      templateVersion: 1,
    });

    await expect(roles.issueSession({ ...base, sourceIdentity: 'scanner' })).rejects.toBeInstanceOf(
      RoleRefusedError,
    );
    await expect(roles.issueSession({ ...base, tags: extras.tags })).rejects.toBeInstanceOf(RoleRefusedError);
    await expect(roles.issueSession(base)).resolves.toMatchObject({
      accessKeyId: expect.stringMatching(/^ASIA/),
    });
  });

  it('refuses the wrong External ID as AssumeRole does', async () => {
    const { organization, roles } = sandbox();
    organization.deployments.createRole({
      accountId: ACCOUNT,
      roleName: 'Member',
      externalId: 'tenant:secret',
    });

    await expect(roles.issueSession({ ...base, externalId: 'tenant:other' })).rejects.toBeInstanceOf(
      RoleRefusedError,
    );
  });
});
