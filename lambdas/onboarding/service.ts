import type { Partition } from '../../schemas/api/common';
import {
  type Onboarding,
  TEMPLATE_NAMES,
  type TemplateName,
  type TemplateQuery,
} from '../../schemas/api/onboarding';
import { ForbiddenError } from '../core/errors';
import { logger } from '../core/logger';
import { hasRole, TENANT_OWNER_ROLE, type TenantContext } from '../core/tenant-context';
import { generateExternalId } from '../domain/external-id';
import { quickCreateLink, TEMPLATE_CATALOGUE, templateFileName } from '../domain/template-catalogue';
import { currentExternalId } from './current-external-id';
import type { ExternalIdRecord, ExternalIdStore, TemplateSource } from './ports';
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
}

export interface RenderedTemplate {
  readonly fileName: string;
  readonly yaml: string;
}

/** Onboarding: what a tenant needs to create the role, and the templates that create it. */
export function makeOnboardingService(deps: OnboardingDeps) {
  const { externalIds, templates, trustedAccountId, partition, templatesBaseUrl, ingressBusArn } = deps;

  function describe(record: ExternalIdRecord): Onboarding {
    return {
      externalId: record.externalId,
      externalIdVersion: record.version,
      trustedAccountId,
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
        });
        return url === null ? [] : [{ template: name, url }];
      }),
    };
  }

  return {
    async onboarding(tenant: TenantContext): Promise<Onboarding> {
      return describe(await currentExternalId(externalIds, tenant.tenantId));
    },

    /** Integrations keep the External ID they were validated with; new roles need the new one. */
    async rotateExternalId(tenant: TenantContext): Promise<Onboarding> {
      if (!hasRole(tenant, TENANT_OWNER_ROLE)) {
        throw new ForbiddenError('Only a tenant owner may rotate the External ID.', 'Ask a tenant owner.');
      }
      const record = await externalIds.rotate(tenant.tenantId, generateExternalId(tenant.tenantId));
      logger.info('external id rotated', { version: record.version });
      return describe(record);
    },

    async template(
      tenant: TenantContext,
      name: TemplateName,
      query: TemplateQuery,
    ): Promise<RenderedTemplate> {
      const { externalId } = await currentExternalId(externalIds, tenant.tenantId);
      const source = await templates.read(templateFileName(name));
      const chosen = {
        ...(query.roleName === undefined
          ? {}
          : { RoleName: { field: 'query.roleName', value: query.roleName } }),
        ...(query.permissionLevel === undefined
          ? {}
          : { PermissionLevel: { field: 'query.permissionLevel', value: query.permissionLevel } }),
      };
      const yaml = renderTemplate(
        source,
        { ExternalId: externalId, TrustedAccountId: trustedAccountId, IngressBusArn: ingressBusArn },
        chosen,
      );
      return { fileName: downloadFileName(name), yaml };
    },
  };
}
