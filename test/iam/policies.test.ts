import { INGRESS_SOURCES } from '../../schemas/ingress';
import { ITEM_KEYS } from '../../schemas/table';
import { PLATFORM } from './cloudformation';
import { ALLOW_ALL, caseCounter, decide, decideAssumeRole, type PolicyDocument } from './evaluator';
import { CONSUMERS, customerRole, type SynthesizedPlatform, synthesizedPlatform } from './platform';

/*
 * Every IAM policy the product ships, proven by an independent evaluator: the policies are read
 * from the synthesized stacks and the customer templates, never copied here.
 */

jest.setTimeout(120_000);

const CUSTOMER = '210000001013';
const ELSEWHERE = '999988887777';
const EXTERNAL_ID = 'acme:Q2hhbmdlLW1lLWluLWEtY3Nwcm5n';
const counter = caseCounter('policies');

let platform: SynthesizedPlatform;

beforeAll(() => {
  platform = synthesizedPlatform();
});

afterAll(() => counter.report());

/** The platform's roles that assume customer roles: what onboarding fills into PlatformPrincipalArns. */
const pinned = () =>
  ['Integrations', 'SyncWorkflowFunction', 'CredentialsBroker'].map((prefix) => platform.roleArn(prefix));

/** Each customer role template (the full member role is the member template with PowerUser). */
const ROLE_TEMPLATES = [
  ['management-account-role', {}],
  ['member-account-role', {}],
  ['member-account-role', { PermissionLevel: 'PowerUser', RoleName: 'OrgConnectionsPowerUser' }],
  ['single-account-role', {}],
] as const;

describe.each(ROLE_TEMPLATES)('the customer role of %s %j', (template, extra) => {
  const roleOf = (principals: readonly string[]) =>
    customerRole(template, CUSTOMER, {
      ExternalId: EXTERNAL_ID,
      TrustedAccountId: PLATFORM.account,
      PlatformPrincipalArns: principals.length === 0 ? '' : principals.join(','),
      ...extra,
    });
  const assume = (
    principal: string,
    identityPolicies: readonly PolicyDocument[],
    call: { externalId?: string; sourceIdentity?: string; tags?: Record<string, string> } = {},
    principals: readonly string[] = pinned(),
  ) => {
    const role = roleOf(principals);
    return decideAssumeRole({ principal, identityPolicies, role: role.arn, trust: role.trust, ...call });
  };
  const sync = () =>
    [platform.roleArn('SyncWorkflowFunction'), platform.policiesOf('SyncWorkflowFunction')] as const;
  const broker = () =>
    [platform.roleArn('CredentialsBroker'), platform.policiesOf('CredentialsBroker')] as const;
  const sessionTags = { tenant: 'acme', workspace: 'ws-1', consumer: 'query-worker' };

  it('lets the pinned platform roles in with the External ID, and the role test too', async () => {
    await counter.expect(assume(...sync(), { externalId: EXTERNAL_ID }), 'Allowed');
    await counter.expect(
      assume(platform.roleArn('Integrations'), platform.policiesOf('Integrations'), {
        externalId: EXTERNAL_ID,
      }),
      'Allowed',
    );
  });

  it('refuses them without the External ID, and with a wrong one', async () => {
    await counter.expect(assume(...sync()), 'Denied');
    await counter.expect(assume(...sync(), { externalId: 'acme:not-the-one' }), 'Denied');
  });

  it('refuses another principal of the platform account when pinned, and admits it only when not', async () => {
    const other = `arn:aws:iam::${PLATFORM.account}:role/SomeOtherPlatformRole`;

    await counter.expect(assume(other, [ALLOW_ALL], { externalId: EXTERNAL_ID }), 'Denied');
    await counter.expect(assume(other, [ALLOW_ALL], { externalId: EXTERNAL_ID }, []), 'Allowed');
  });

  it('refuses any principal of another account, External ID or not', async () => {
    const stranger = `arn:aws:iam::${ELSEWHERE}:role/Attacker`;

    await counter.expect(assume(stranger, [ALLOW_ALL], { externalId: EXTERNAL_ID }), 'Denied');
    await counter.expect(assume(stranger, [ALLOW_ALL], { externalId: EXTERNAL_ID }, []), 'Denied');
  });

  it("lets the broker set the consumer's SourceIdentity and its three session tags, under the External ID only", async () => {
    const call = { sourceIdentity: 'query-worker', tags: sessionTags };

    await counter.expect(assume(...broker(), { ...call, externalId: EXTERNAL_ID }), 'Allowed');
    await counter.expect(assume(...broker(), call), 'Denied');
    await counter.expect(assume(...broker(), { ...call, externalId: 'acme:not-the-one' }), 'Denied');
  });

  it('refuses a session tag of any other key, and a SourceIdentity that names no consumer', async () => {
    await counter.expect(
      assume(...broker(), { externalId: EXTERNAL_ID, tags: { ...sessionTags, admin: 'true' } }),
      'Denied',
    );
    await counter.expect(
      assume(...broker(), { externalId: EXTERNAL_ID, sourceIdentity: 'someone-else', tags: sessionTags }),
      'Denied',
    );
  });
});

describe("the tenant table roles: one tenant's items, and nothing else", () => {
  const TENANT = 'tenant-a';
  const item = (
    prefix: string,
    action: string,
    keys: readonly string[],
    context: Record<string, string | string[]> = {},
    resource?: string,
  ) =>
    decide({
      principal: platform.roleArn(`${prefix}TenantTable`),
      action: `dynamodb:${action}`,
      resource: resource ?? platform.tableArn,
      resourceAccount: PLATFORM.account,
      context: { 'aws:PrincipalTag/tenant': TENANT, 'dynamodb:LeadingKeys': [...keys], ...context },
      identityPolicies: platform.policiesOf(`${prefix}TenantTable`),
    });
  const own = ITEM_KEYS.tenant(TENANT);
  const other = ITEM_KEYS.tenant('tenant-b');

  it.each(['GetItem', 'Query', 'PutItem', 'UpdateItem'])(
    "lets the integrations function %s its tenant's items",
    async (action) => {
      await counter.expect(item('Integrations', action, [own]), 'Allowed');
    },
  );

  it.each(['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'])(
    "refuses it %s another tenant's items",
    async (action) => {
      await counter.expect(item('Integrations', action, [other]), 'Denied');
    },
  );

  it('refuses a batch that names one item of another tenant among its own', async () => {
    await counter.expect(item('Integrations', 'BatchGetItem', [own, other]), 'Denied');
  });

  it('refuses every index, whatever its keys', async () => {
    const index = `${platform.tableArn}/index/by-schedule`;

    await counter.expect(item('Integrations', 'Query', [ITEM_KEYS.scheduleDue], {}, index), 'Denied');
    await counter.expect(item('Integrations', 'Query', [own], {}, index), 'Denied');
  });

  it('refuses Scan and PartiQL, which no partition key confines', async () => {
    await counter.expect(
      decide({
        principal: platform.roleArn('IntegrationsTenantTable'),
        action: 'dynamodb:Scan',
        resource: platform.tableArn,
        resourceAccount: PLATFORM.account,
        context: { 'aws:PrincipalTag/tenant': TENANT },
        identityPolicies: platform.policiesOf('IntegrationsTenantTable'),
      }),
      'Denied',
    );
    await counter.expect(item('Integrations', 'PartiQLSelect', [own]), 'Denied');
  });

  it("lets the broker keep its tenant's STS budget: that item's one attribute, returning nothing", async () => {
    const budget = ITEM_KEYS.stsBudgetPartition(TENANT);
    const attributes = {
      'dynamodb:Attributes': ['pk', 'sk', 'stsBudgetAt'],
      'dynamodb:ReturnValues': 'NONE',
    };

    await counter.expect(item('CredentialsBroker', 'UpdateItem', [budget], attributes), 'Allowed');
    await counter.expect(
      item('CredentialsBroker', 'GetItem', [budget], { 'dynamodb:Attributes': ['stsBudgetAt'] }),
      'Allowed',
    );
    await counter.expect(item('CredentialsBroker', 'GetItem', [own]), 'Allowed');
  });

  it('refuses the broker any write outside the budget item, or of another attribute, or another tenant', async () => {
    const attributes = {
      'dynamodb:Attributes': ['pk', 'sk', 'stsBudgetAt'],
      'dynamodb:ReturnValues': 'NONE',
    };

    await counter.expect(item('CredentialsBroker', 'UpdateItem', [own], attributes), 'Denied');
    await counter.expect(
      item('CredentialsBroker', 'UpdateItem', [ITEM_KEYS.stsBudgetPartition(TENANT)], {
        ...attributes,
        'dynamodb:Attributes': ['pk', 'sk', 'stsBudgetAt', 'externalId'],
      }),
      'Denied',
    );
    await counter.expect(
      item('CredentialsBroker', 'UpdateItem', [ITEM_KEYS.stsBudgetPartition('tenant-b')], attributes),
      'Denied',
    );
    await counter.expect(
      item('CredentialsBroker', 'PutItem', [ITEM_KEYS.stsBudgetPartition(TENANT)], attributes),
      'Denied',
    );
  });

  it('is assumed only by its own function, only with the tenant tag and no other', async () => {
    const trust = platform.trustOf('IntegrationsTenantTable');
    const role = platform.roleArn('IntegrationsTenantTable');
    const by = (prefix: string, tags?: Record<string, string>) =>
      decideAssumeRole({
        principal: platform.roleArn(prefix),
        identityPolicies: platform.policiesOf(prefix),
        role,
        trust,
        ...(tags ? { tags } : {}),
      });

    await counter.expect(by('Integrations', { tenant: TENANT }), 'Allowed');
    await counter.expect(by('Integrations'), 'Denied');
    await counter.expect(by('Integrations', { tenant: TENANT, admin: 'true' }), 'Denied');
    await counter.expect(by('Onboarding', { tenant: TENANT }), 'Denied');
  });
});

describe('the credentials broker', () => {
  const invoke = (principal: string, resource: string) =>
    decide({
      principal,
      action: 'lambda:InvokeFunction',
      resource,
      resourceAccount: PLATFORM.account,
      // Each consumer's own account lets it invoke anything: the broker's policy is the gate.
      identityPolicies: [ALLOW_ALL],
      resourcePolicy: platform.brokerFunctionPolicy(),
    });
  const [queryWorker, scanner] = CONSUMERS;

  it("lets each consumer's principal invoke its own alias", async () => {
    await counter.expect(
      invoke(queryWorker.principalArn, `${platform.brokerFunctionArn}:${queryWorker.name}`),
      'Allowed',
    );
    await counter.expect(
      invoke(scanner.principalArn, `${platform.brokerFunctionArn}:${scanner.name}`),
      'Allowed',
    );
  });

  it("refuses another consumer's alias, the unqualified function and $LATEST", async () => {
    await counter.expect(
      invoke(queryWorker.principalArn, `${platform.brokerFunctionArn}:${scanner.name}`),
      'Denied',
    );
    await counter.expect(invoke(queryWorker.principalArn, platform.brokerFunctionArn), 'Denied');
    await counter.expect(invoke(queryWorker.principalArn, `${platform.brokerFunctionArn}:$LATEST`), 'Denied');
  });

  it("assumes roles only outside the platform's account", async () => {
    const customer = customerRole('member-account-role', CUSTOMER, {
      ExternalId: EXTERNAL_ID,
      TrustedAccountId: PLATFORM.account,
    });
    const ours = `arn:aws:iam::${PLATFORM.account}:role/PlatformAdmin`;
    const trustsOurAccount: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${PLATFORM.account}:root` },
          Action: 'sts:AssumeRole',
        },
      ],
    };
    const principal = platform.roleArn('CredentialsBroker');
    const identityPolicies = platform.policiesOf('CredentialsBroker');

    await counter.expect(
      decideAssumeRole({
        principal,
        identityPolicies,
        role: customer.arn,
        trust: customer.trust,
        externalId: EXTERNAL_ID,
      }),
      'Allowed',
    );
    await counter.expect(
      decideAssumeRole({ principal, identityPolicies, role: ours, trust: trustsOurAccount }),
      'Denied',
    );
  });
});

describe('the organization events forwarder', () => {
  const forwarder = () =>
    customerRole('organization-events-forwarder', CUSTOMER, { IngressBusArn: platform.ingressBusArn });
  const put = (
    principal: string,
    identityPolicies: readonly PolicyDocument[],
    source: string | readonly string[],
    bus = platform.ingressBusArn,
  ) =>
    decide({
      principal,
      action: 'events:PutEvents',
      resource: bus,
      resourceAccount: PLATFORM.account,
      // Each entry of a PutEvents brings its source: the key holds them all.
      context: { 'events:source': [source].flat() },
      identityPolicies,
      resourcePolicy: platform.ingressBusPolicy(),
    });
  const forwarderRole = `arn:aws:iam::${CUSTOMER}:role/OrganizationEventsForwarderRole`;

  it.each(INGRESS_SOURCES)(
    "lets the customer's forwarder put %s events on the ingress bus",
    async (source) => {
      await counter.expect(put(forwarderRole, forwarder().policies, source), 'Allowed');
    },
  );

  it('refuses any other source, a batch that slips one in, and any other bus', async () => {
    await counter.expect(put(forwarderRole, forwarder().policies, 'custom.spoofed'), 'Denied');
    await counter.expect(
      put(forwarderRole, forwarder().policies, ['aws.organizations', 'custom.spoofed']),
      'Denied',
    );
    await counter.expect(
      put(
        forwarderRole,
        forwarder().policies,
        'aws.organizations',
        `arn:aws:events:us-east-1:${PLATFORM.account}:event-bus/default`,
      ),
      'Denied',
    );
  });

  it('refuses a principal whose own account does not let it put events', async () => {
    await counter.expect(
      put(`arn:aws:iam::${ELSEWHERE}:role/NoPermissions`, [], 'aws.organizations'),
      'Denied',
    );
  });
});
