import { isSeq, parseDocument } from 'yaml';
import type { TemplateName } from '../../schemas/api/onboarding';
import { ValidationError } from '../core/errors';

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

export function downloadFileName(name: TemplateName): string {
  return `aws-org-connections-${name}.yaml`;
}

/**
 * Sets parameter defaults in a template's YAML and re-emits it. Parsing keeps the comments and
 * refuses a value the template would refuse, instead of pasting text into YAML.
 *
 * @param known values the platform fills in wherever the template has such a parameter
 * @param chosen values the caller asked for; each must be a parameter of this template
 */
export function renderTemplate(
  source: string,
  known: Readonly<Record<string, string>>,
  chosen: Readonly<Record<string, { readonly field: string; readonly value: string }>>,
): string {
  const document = parseDocument(source);
  for (const [parameter, value] of Object.entries(known)) {
    if (document.hasIn(['Parameters', parameter]))
      document.setIn(['Parameters', parameter, 'Default'], value);
  }
  for (const [parameter, { field, value }] of Object.entries(chosen)) {
    if (!document.hasIn(['Parameters', parameter])) {
      throw new ValidationError('This template has no such parameter.', [
        { field, message: `not a parameter of this template` },
      ]);
    }
    const allowed = document.getIn(['Parameters', parameter, 'AllowedValues']);
    if (isSeq(allowed) && !allowed.items.some((item) => String(item) === value)) {
      throw new ValidationError('This template does not allow that value.', [
        { field, message: `must be one of ${allowed.items.map(String).join(', ')}` },
      ]);
    }
    document.setIn(['Parameters', parameter, 'Default'], value);
  }
  return document.toString();
}
