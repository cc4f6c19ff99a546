import { isSeq, parseDocument } from 'yaml';
import type { TemplateName } from '../../schemas/api/onboarding';
import { ValidationError } from '../core/errors';

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
