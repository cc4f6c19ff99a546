import { TemplateFiles } from '../../../lambdas/adapters/files/template-files';
import { AppError } from '../../../lambdas/core/errors';
import type { TenantRequest } from '../../../lambdas/core/tenant-context';
import { auditTrail } from '../../../lambdas/domain/audit';
import { makeOnboardingService } from '../../../lambdas/onboarding/service';
import { TEMPLATE_NAMES } from '../../../schemas/api/onboarding';
import { TENANT_A } from '../../fixtures/api-gateway';
import { MemoryAuditLog } from '../../fixtures/audit';
import { MemoryExternalIds } from '../../fixtures/external-ids';

const INGRESS_BUS = 'arn:aws-us-gov:events:us-gov-west-1:123456789012:event-bus/ingress';
const PLATFORM_ROLES = [
  'arn:aws-us-gov:iam::123456789012:role/OrgConnections-Stateless-SyncRole1A2B3C',
  'arn:aws-us-gov:iam::123456789012:role/OrgConnections-Stateless-BrokerRole4D5E6F',
];

function setup() {
  const externalIds = new MemoryExternalIds();
  const auditLog = new MemoryAuditLog();
  const service = makeOnboardingService({
    externalIds,
    templates: new TemplateFiles('templates'),
    trustedAccountId: '123456789012',
    partition: 'aws-us-gov',
    templatesBaseUrl: 'https://templates.example.com/templates/',
    ingressBusArn: INGRESS_BUS,
    platformPrincipalArns: PLATFORM_ROLES,
    audit: auditTrail({ retentionDays: 400 }),
    auditLog,
  });
  return { externalIds, service, auditLog };
}

const OWNER: TenantRequest = { ...TENANT_A, correlationId: 'req-rotate' };
const MEMBER: TenantRequest = { ...OWNER, roles: [] };

describe('onboarding', () => {
  it('creates the External ID on the first call and returns the same one afterwards', async () => {
    const { service } = setup();

    const first = await service.onboarding(TENANT_A);
    const second = await service.onboarding(TENANT_A);

    expect(first.externalId).toMatch(/^tenant-a:[A-Za-z0-9_-]{22}$/);
    expect(second.externalId).toBe(first.externalId);
    expect(first).toMatchObject({
      trustedAccountId: '123456789012',
      partition: 'aws-us-gov',
      externalIdVersion: 1,
    });
  });

  it('links every template, and quick-creates each plain stack in the partition console with its values', async () => {
    const { service } = setup();

    const answer = await service.onboarding(TENANT_A);

    expect(answer.templates.map((template) => template.name)).toEqual([...TEMPLATE_NAMES]);
    const discovery = answer.quickCreateLinks.find((link) => link.template === 'management-account-role');
    const url = new URL(discovery?.url ?? 'missing:');
    expect(url.host).toBe('console.amazonaws-us-gov.com');
    const query = new URLSearchParams(url.hash.split('?')[1]);
    expect(query.get('templateURL')).toBe(
      'https://templates.example.com/templates/management-account-role.yaml',
    );
    expect(query.get('param_ExternalId')).toBe(answer.externalId);
    expect(query.get('param_TrustedAccountId')).toBe('123456789012');
    expect(query.get('param_PlatformPrincipalArns')).toBe(PLATFORM_ROLES.join(','));
    expect(answer.platformPrincipalArns).toEqual(PLATFORM_ROLES);
    expect(query.get('stackName')).toBeTruthy();
    expect(answer.quickCreateLinks.map((link) => link.template)).not.toContain('member-account-role');
  });

  it('rotates the External ID for a tenant owner, and the new one is what later calls see', async () => {
    const { service } = setup();
    const before = await service.onboarding(TENANT_A);

    const rotated = await service.rotateExternalId(OWNER);

    expect(rotated.externalId).not.toBe(before.externalId);
    expect(rotated.externalIdVersion).toBe(2);
    expect((await service.onboarding(TENANT_A)).externalId).toBe(rotated.externalId);
  });

  it('audits a rotation by its action and version alone: neither External ID is in the entry', async () => {
    const { service, auditLog } = setup();
    const before = await service.onboarding(TENANT_A);

    const rotated = await service.rotateExternalId(OWNER);

    expect(auditLog.entries).toEqual([
      expect.objectContaining({
        action: 'external-id.rotated',
        target: { type: 'external-id', id: 'tenant' },
        actor: { sub: OWNER.subject, tenantId: OWNER.tenantId, groups: [...OWNER.roles] },
        changes: { externalIdVersion: { before: 1, after: 2 } },
        requestId: 'req-rotate',
      }),
    ]);
    const written = JSON.stringify(auditLog.records);
    expect(written).not.toContain(before.externalId);
    expect(written).not.toContain(rotated.externalId);
  });

  it('lets only a tenant owner rotate, and audits no refused rotation', async () => {
    const { service, externalIds, auditLog } = setup();

    await expect(service.rotateExternalId(MEMBER)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(externalIds.records.size).toBe(0);
    expect(auditLog.records).toEqual([]);
  });

  it('renders a template with the tenant values and the chosen options as parameter defaults', async () => {
    const { service } = setup();
    const { externalId } = await service.onboarding(TENANT_A);

    const rendered = await service.template(TENANT_A, 'single-account-role', {
      roleName: 'Acme',
      permissionLevel: 'PowerUser',
    });

    expect(rendered.fileName).toBe('aws-org-connections-single-account-role.yaml');
    expect(rendered.yaml).toContain(`Default: ${externalId}`);
    expect(rendered.yaml).toContain('Default: Acme');
    expect(rendered.yaml).toContain('Default: PowerUser');
  });

  it.each([
    [
      'a permission level the template does not offer',
      'management-account-role',
      { permissionLevel: 'PowerUser' },
      'query.permissionLevel',
    ],
    [
      'an option the template does not take',
      'organization-events-forwarder',
      { roleName: 'X' },
      'query.roleName',
    ],
  ] as const)('refuses %s', async (_, name, query, field) => {
    const { service } = setup();

    const error = await service.template(TENANT_A, name, query).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).details).toEqual({ issues: [expect.objectContaining({ field })] });
  });
});
