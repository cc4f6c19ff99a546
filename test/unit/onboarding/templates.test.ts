import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { TemplateFiles } from '../../../lambdas/adapters/files/template-files';
import { auditTrail } from '../../../lambdas/domain/audit';
import { PERMISSIONS, type RoleKind } from '../../../lambdas/domain/permissions';
import { TEMPLATE_VERSION_TAG, TEMPLATE_VERSIONS } from '../../../lambdas/domain/template-versions';
import { makeOnboardingService } from '../../../lambdas/onboarding/service';
import { TEMPLATE_NAMES, type TemplateName } from '../../../schemas/api/onboarding';
import { ingressEventPatterns } from '../../../schemas/ingress';
import { TENANT_A } from '../../fixtures/api-gateway';
import { MemoryAuditLog } from '../../fixtures/audit';
import { MemoryExternalIds } from '../../fixtures/external-ids';

const run = promisify(execFile);
const INGRESS_BUS = 'arn:aws:events:us-east-1:123456789012:event-bus/aws-org-connections-ingress';
const PLATFORM_ROLES = [
  'arn:aws:iam::123456789012:role/OrgConnections-Stateless-SyncRole1A2B3C',
  'arn:aws:iam::123456789012:role/OrgConnections-Stateless-IntegrationsRole4D5E6F',
];

const service = makeOnboardingService({
  externalIds: new MemoryExternalIds(),
  templates: new TemplateFiles('templates'),
  trustedAccountId: '123456789012',
  partition: 'aws',
  templatesBaseUrl: 'https://templates.example.com/templates/',
  ingressBusArn: INGRESS_BUS,
  platformPrincipalArns: PLATFORM_ROLES,
  audit: auditTrail({ retentionDays: 400 }),
  auditLog: new MemoryAuditLog(),
});

interface Statement {
  Effect: string;
  Principal: Record<string, unknown>;
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

type Template = {
  Parameters: Record<string, { Default?: string }>;
  Resources: Record<
    string,
    {
      Type: string;
      Properties: {
        AssumeRolePolicyDocument?: { Statement: Statement[] };
        Tags?: unknown;
        ManagedPolicyArns?: unknown;
        Policies?: Array<{ PolicyDocument: { Statement: Array<{ Action: string | string[] }> } }>;
      };
    }
  >;
};

async function rendered(name: TemplateName): Promise<{ yaml: string; template: Template }> {
  const { yaml } = await service.template(TENANT_A, name, {});
  return { yaml, template: parse(yaml) as Template };
}

function roles(template: Template) {
  return Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::IAM::Role');
}

const ROLE_TEMPLATES = TEMPLATE_NAMES.filter((name) => name !== 'organization-events-forwarder');

describe('customer templates', () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'templates-'));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it.each(TEMPLATE_NAMES)(
    '%s passes cfn-lint as rendered',
    async (name) => {
      const { yaml } = await rendered(name);
      const file = path.join(directory, `${name}.yaml`);
      await writeFile(file, yaml);

      // cfn-lint exits non-zero on any error or warning, which rejects here with its report.
      await expect(run('cfn-lint', ['--', file])).resolves.toEqual({ stdout: '', stderr: '' });
    },
    60_000,
  );

  it.each(ROLE_TEMPLATES)(
    "%s lets in only the platform's published roles of the trusted account, and only with the tenant External ID",
    async (name) => {
      const { externalId } = await service.onboarding(TENANT_A);
      const { template } = await rendered(name);

      expect(template.Parameters.ExternalId?.Default).toBe(externalId);
      expect(template.Parameters.TrustedAccountId?.Default).toBe('123456789012');
      const statements = roles(template).flatMap(
        (role) => role.Properties.AssumeRolePolicyDocument?.Statement ?? [],
      );
      const externalIdOnly = { StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } };
      expect(statements).toEqual([
        {
          Sid: 'PlatformWithExternalId',
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${TrustedAccountId}:root' } },
          Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
          // With PlatformPrincipalArns, the External ID and those principals; without, the External ID.
          Condition: {
            'Fn::If': [
              'HasPlatformPrincipals',
              { ...externalIdOnly, ArnLike: { 'aws:PrincipalArn': { Ref: 'PlatformPrincipalArns' } } },
              externalIdOnly,
            ],
          },
        },
      ]);
      expect(template.Parameters.PlatformPrincipalArns?.Default).toBe(PLATFORM_ROLES.join(','));
      expect(
        (template as { Conditions?: Record<string, unknown> }).Conditions?.HasPlatformPrincipals,
      ).toEqual({
        'Fn::Not': [{ 'Fn::Equals': [{ 'Fn::Join': ['', { Ref: 'PlatformPrincipalArns' }] }, ''] }],
      });
    },
  );

  it.each(ROLE_TEMPLATES)('%s stamps its current version on the role it creates', async (name) => {
    const { template } = await rendered(name);

    expect(roles(template).map((role) => role.Properties.Tags)).toEqual([
      [{ Key: TEMPLATE_VERSION_TAG, Value: String(TEMPLATE_VERSIONS[name]) }],
    ]);
  });

  /** The actions of a role that its template's own policy must grant. */
  const templateGrants = (kind: RoleKind) =>
    PERMISSIONS[kind].actions.filter((entry) => entry.grantedBy === 'template').map((entry) => entry.action);

  /** Each role kind, the template and the permission level that make it. */
  const ROLE_KIND_TEMPLATES: Array<[RoleKind, TemplateName, 'ReadOnly' | 'PowerUser' | undefined]> = [
    ['discovery', 'management-account-role', undefined],
    ['member-read', 'member-account-role', 'ReadOnly'],
    ['member-read', 'single-account-role', 'ReadOnly'],
    ['member-full', 'member-account-role', 'PowerUser'],
    ['member-full', 'single-account-role', 'PowerUser'],
  ];

  it.each(ROLE_KIND_TEMPLATES)(
    'the %s role made by %s (%s) grants exactly the manifest’s actions',
    async (kind, name, permissionLevel) => {
      const { yaml } = await service.template(TENANT_A, name, permissionLevel ? { permissionLevel } : {});
      const [role] = roles(parse(yaml) as Template);
      const granted = (role?.Properties.Policies ?? []).flatMap((policy) =>
        policy.PolicyDocument.Statement.flatMap((statement) => statement.Action),
      );
      const managed = JSON.stringify(role?.Properties.ManagedPolicyArns ?? null);

      expect(PERMISSIONS[kind].templates).toContain(name);
      expect([...granted].sort()).toEqual([...templateGrants(kind)].sort());
      for (const { grantedBy } of PERMISSIONS[kind].actions) {
        if (grantedBy !== 'template') expect(managed).toContain(`:policy/${grantedBy}`);
      }
    },
  );

  it('gives the member role PowerUserAccess or ViewOnlyAccess only when asked, ReadOnlyAccess by default', async () => {
    const { template } = await rendered('member-account-role');
    const [role] = roles(template);
    const full = parse(
      (await service.template(TENANT_A, 'member-account-role', { permissionLevel: 'PowerUser' })).yaml,
    ) as Template;

    expect(template.Parameters.PermissionLevel?.Default).toBe('ReadOnly');
    expect(full.Parameters.PermissionLevel?.Default).toBe('PowerUser');
    expect(role?.Properties).toHaveProperty('ManagedPolicyArns', [
      {
        'Fn::If': [
          'GrantPowerUser',
          { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/PowerUserAccess' },
          {
            'Fn::If': [
              'GrantViewOnly',
              { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/job-function/ViewOnlyAccess' },
              { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess' },
            ],
          },
        ],
      },
    ]);
    expect((template as { Conditions?: Record<string, unknown> }).Conditions).toMatchObject({
      GrantPowerUser: { 'Fn::Equals': [{ Ref: 'PermissionLevel' }, 'PowerUser'] },
      GrantViewOnly: { 'Fn::Equals': [{ Ref: 'PermissionLevel' }, 'ViewOnly'] },
    });
  });

  it("the forwarder's rules pass exactly the sources, envelopes, event names and opt-ins the router acts on", async () => {
    const { template } = await rendered('organization-events-forwarder');
    const patternOf = (id: string) =>
      (template.Resources[id]?.Properties as { EventPattern?: unknown } | undefined)?.EventPattern;
    const rules = Object.values(template.Resources).filter(
      (resource) => resource.Type === 'AWS::Events::Rule',
    );
    // Sorted, so that the template may list the names in any order.
    const sorted = (pattern: unknown) =>
      JSON.parse(JSON.stringify(pattern), (_, value) =>
        Array.isArray(value) && value.every((item) => typeof item === 'string') ? [...value].sort() : value,
      );
    const { organizations, regionOptIn } = ingressEventPatterns();

    expect(rules).toHaveLength(2);
    expect(sorted(patternOf('ForwardOrganizationsEvents'))).toEqual(sorted(organizations));
    expect(sorted(patternOf('ForwardRegionOptInEvents'))).toEqual(sorted(regionOptIn));
  });

  it('the forwarder targets our ingress bus, through a role only EventBridge of that account may use', async () => {
    const { template } = await rendered('organization-events-forwarder');

    expect(template.Parameters.IngressBusArn?.Default).toBe(INGRESS_BUS);
    const [role] = roles(template);
    expect(role?.Properties.AssumeRolePolicyDocument?.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    ]);
  });
});
