import type { Partition, Scope } from '../../schemas/api/common';
import {
  type Onboarding,
  TEMPLATE_NAMES,
  type TemplateName,
  type TemplateQuery,
} from '../../schemas/api/onboarding';
import { ForbiddenError } from '../core/errors';
import { logger } from '../core/logger';
import type { TenantContext, TenantRequest } from '../core/tenant-context';
import type { AuditTrail } from '../domain/audit';
import { currentExternalId, generateExternalId } from '../domain/external-id';
import { canManageScope, describeScope } from '../domain/scope';
import { quickCreateLink, TEMPLATE_CATALOGUE, templateFileName } from '../domain/template-catalogue';
import type { AuditLog } from '../ports/audit';
import type { ExternalIdRecord, ExternalIdStore } from '../ports/external-ids';
import type { TemplateSource } from './ports';
import { downloadFileName, renderTemplate } from './templates';

export interface OnboardingDeps {
  readonly externalIds: ExternalIdStore;
  readonly templates: TemplateSource;
  readonly trustedAccountId: string;
  readonly partition: Partition;
  /** Where the raw templates are published (ends with `/`); quick-create links point there. */
  readonly templatesBaseUrl: string;
  /** The ingress bus the events forwarder targets. */
  readonly ingressBusArn: string;
  /** The platform's roles that assume customer roles: the templates' trust names them by default. */
  readonly platformPrincipalArns: readonly string[];
  /** A rotation is audited by its action alone: the entry never holds an External ID. */
  readonly audit: AuditTrail;
  readonly auditLog: Pick<AuditLog, 'record'>;
}

export interface RenderedTemplate {
  readonly fileName: string;
  readonly yaml: string;
}

/** Onboarding: what a tenant needs to create the role, and the templates that create it. */
export function makeOnboardingService(deps: OnboardingDeps) {
  const { externalIds, templates, trustedAccountId, partition, templatesBaseUrl, ingressBusArn } = deps;
  const { platformPrincipalArns } = deps;

  function describe(scope: Scope, record: ExternalIdRecord): Onboarding {
    return {
      scope,
      externalId: record.externalId,
      externalIdVersion: record.version,
      trustedAccountId,
      platformPrincipalArns: [...platformPrincipalArns],
      partition,
      templates: TEMPLATE_NAMES.map((name) => ({
        name,
        description: TEMPLATE_CATALOGUE[name].description,
        url: `/v1/aws/templates/${name}`,
        sourceUrl: `${templatesBaseUrl}${templateFileName(name)}`,
      })),
      quickCreateLinks: TEMPLATE_NAMES.flatMap((name) => {
        const url = quickCreateLink(name, {
          partition,
          templatesBaseUrl,
          trustedAccountId,
          externalId: record.externalId,
          ingressBusArn,
          platformPrincipalArns,
        });
        return url === null ? [] : [{ template: name, url }];
      }),
    };
  }

  return {
    /** A scope's External ID and links: the tenant's for tenant owners, an org's for its members. */
    async onboarding(tenant: TenantContext, scope: Scope = TENANT_SCOPE): Promise<Onboarding> {
      requireScope(tenant, scope);
      return describe(scope, await currentExternalId(externalIds, tenant.tenantId, scope));
    },

    /** Integrations keep the External ID they were validated with; new roles need the new one. */
    async rotateExternalId(tenant: TenantRequest, scope: Scope = TENANT_SCOPE): Promise<Onboarding> {
      requireScope(tenant, scope);
      const record = await externalIds.rotate(tenant.tenantId, scope, generateExternalId(tenant.tenantId));
      logger.info('external id rotated', { scope: scope.level, version: record.version });
      await deps.auditLog.record(
        tenant.tenantId,
        deps.audit.entry(tenant, {
          action: 'external-id.rotated',
          target: { type: 'external-id', id: scope.level === 'org' ? `org:${scope.orgId}` : 'tenant' },
          scope,
          changes: [{ field: 'externalIdVersion', from: record.version - 1, to: record.version }],
        }),
      );
      return describe(scope, record);
    },

    async template(
      tenant: TenantContext,
      name: TemplateName,
      query: TemplateOptions,
    ): Promise<RenderedTemplate> {
      const scope = query.scope ?? TENANT_SCOPE;
      requireScope(tenant, scope);
      const { externalId } = await currentExternalId(externalIds, tenant.tenantId, scope);
      const source = await templates.read(templateFileName(name));
      const chosen = {
        ...(query.roleName === undefined
          ? {}
          : { RoleName: { field: 'query.roleName', value: query.roleName } }),
        ...(query.permissionLevel === undefined
          ? {}
          : { PermissionLevel: { field: 'query.permissionLevel', value: query.permissionLevel } }),
      };
      const known = {
        ExternalId: externalId,
        TrustedAccountId: trustedAccountId,
        IngressBusArn: ingressBusArn,
        ...(platformPrincipalArns.length === 0
          ? {}
          : { PlatformPrincipalArns: platformPrincipalArns.join(',') }),
      };
      const yaml = renderTemplate(source, known, chosen);
      return { fileName: downloadFileName(name), yaml };
    },
  };
}

const TENANT_SCOPE: Scope = { level: 'tenant' };

/** A template's options; without a scope, the tenant's External ID fills it in. */
export type TemplateOptions = Omit<TemplateQuery, 'scope'> & { readonly scope?: Scope };

/**
 * A scope's External ID is for those who may register integrations in that scope: the tenant's
 * for tenant owners only, an org's for that org's members too. A role deployed with it can
 * then be registered in that scope only.
 */
function requireScope(tenant: TenantContext, scope: Scope): void {
  if (canManageScope(tenant, scope)) return;
  throw new ForbiddenError(
    scope.level === 'tenant'
      ? "Only a tenant owner may use the tenant's External ID."
      : `You are not a member of ${describeScope(scope)}.`,
    scope.level === 'tenant'
      ? "Ask for your org's: ?scope=org:<orgId>."
      : 'Ask a member of that org or a tenant owner.',
  );
}

export type OnboardingService = ReturnType<typeof makeOnboardingService>;
