import type { Partition } from '../../schemas/api/common';
import type { TemplateName } from '../../schemas/api/onboarding';
import { CONSOLE_HOST, ORGANIZATIONS_REGION } from './partition';

/*
 * The customer templates as the platform names and links them. Kept apart from rendering (which
 * parses YAML), so the functions that only link a template bundle no YAML parser.
 */

export interface TemplateInfo {
  readonly description: string;
  /** The stack name a quick-create link proposes; none when the template is not a plain stack. */
  readonly quickCreateStackName: string | null;
}

export const TEMPLATE_CATALOGUE: Readonly<Record<TemplateName, TemplateInfo>> = {
  'management-account-role': {
    description: 'Discovery role for the management account (or a delegated administrator).',
    quickCreateStackName: 'aws-org-connections-discovery',
  },
  'member-account-role': {
    description: 'Role for every member account, deployed by a service-managed StackSet.',
    quickCreateStackName: null,
  },
  'organization-events-forwarder': {
    description:
      'EventBridge rule in us-east-1 of the management account that forwards Organizations events.',
    quickCreateStackName: 'aws-org-connections-events',
  },
  'single-account-role': {
    description: 'Role for connecting one account.',
    quickCreateStackName: 'aws-org-connections-account',
  },
};

export function templateFileName(name: TemplateName): string {
  return `${name}.yaml`;
}

/** What a quick-create link fills in for the customer. */
export interface QuickCreateValues {
  readonly partition: Partition;
  /** Where the raw templates are published (ends with `/`). */
  readonly templatesBaseUrl: string;
  readonly trustedAccountId: string;
  readonly externalId: string;
  /** The ingress bus, for the events forwarder. */
  readonly ingressBusArn?: string;
  /** The platform's roles that alone may assume a customer role; none: any with the External ID. */
  readonly platformPrincipalArns?: readonly string[];
}

/**
 * A link to the CloudFormation console that creates the template's stack with our values filled
 * in; null for a template that is not deployed as a plain stack. Deployed over an existing stack
 * of the same name, it updates it.
 */
export function quickCreateLink(name: TemplateName, values: QuickCreateValues): string | null {
  const stackName = TEMPLATE_CATALOGUE[name].quickCreateStackName;
  if (stackName === null) return null;
  const { partition, templatesBaseUrl, trustedAccountId, externalId, ingressBusArn = '' } = values;
  const principals = values.platformPrincipalArns ?? [];
  // Role templates are global (IAM), and the forwarder must live where Organizations publishes
  // events, so every link opens the console in the partition's Organizations region.
  const region = ORGANIZATIONS_REGION[partition];
  const query = new URLSearchParams({
    templateURL: `${templatesBaseUrl}${templateFileName(name)}`,
    stackName,
    ...(name === 'organization-events-forwarder'
      ? { param_IngressBusArn: ingressBusArn }
      : {
          param_ExternalId: externalId,
          param_TrustedAccountId: trustedAccountId,
          ...(principals.length === 0 ? {} : { param_PlatformPrincipalArns: principals.join(',') }),
        }),
  });
  return `https://${CONSOLE_HOST[partition]}/cloudformation/home?region=${region}#/stacks/quickcreate?${query}`;
}
