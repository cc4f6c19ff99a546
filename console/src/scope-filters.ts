import type { CreateIntegration } from './api';

/*
 * The wizard's scope filters: what a person types, checked and turned into the filters the API
 * takes. Kept apart from the page so the parsing is tested on its own.
 */

type Filters = NonNullable<Extract<CreateIntegration, { kind: 'organization' }>['filters']>;

/** The scope filters as typed: id lists as text, tags as `key=value` (or `key`, any value). */
export interface FilterDraft {
  includeOus: string;
  excludeOus: string;
  includeAccounts: string;
  excludeAccounts: string;
  tags: string;
  excludeTags: string;
  skipSuspended: boolean;
}

export const NO_FILTERS: FilterDraft = {
  includeOus: '',
  excludeOus: '',
  includeAccounts: '',
  excludeAccounts: '',
  tags: '',
  excludeTags: '',
  skipSuspended: false,
};

/** Ids or names as typed: separated by commas or white space. */
export const listOf = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);

const OU_ID = /^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/;
const ACCOUNT_ID = /^\d{12}$/;

/** An id list as typed, or null when one of them is no such id. */
function idsOf(text: string, pattern: RegExp): string[] | null {
  const list = listOf(text);
  return list.every((id) => pattern.test(id)) ? list : null;
}

/** The filters the API takes, or null when a field holds something that is no id or tag. */
export function filtersOf(typed: FilterDraft): Filters | null {
  const includeOus = idsOf(typed.includeOus, OU_ID);
  const excludeOus = idsOf(typed.excludeOus, OU_ID);
  const includeAccounts = idsOf(typed.includeAccounts, ACCOUNT_ID);
  const excludeAccounts = idsOf(typed.excludeAccounts, ACCOUNT_ID);
  const tags = tagsOf(typed.tags);
  const excludeTags = tagsOf(typed.excludeTags);
  if (!includeOus || !excludeOus || !includeAccounts || !excludeAccounts || !tags || !excludeTags)
    return null;
  return {
    organizationalUnits: { include: includeOus, exclude: excludeOus },
    accounts: { include: includeAccounts, exclude: excludeAccounts },
    skipSuspended: typed.skipSuspended,
    accountTags: tags,
    excludeAccountTags: excludeTags,
  };
}

/** `key=value` or `key` (any value), comma-separated. */
export function tagsOf(text: string): Record<string, string | null> | null {
  const tags: Record<string, string | null> = {};
  for (const entry of text.split(',').map((line) => line.trim())) {
    if (entry === '') continue;
    const [key = '', ...value] = entry.split('=');
    if (key.trim() === '') return null;
    tags[key.trim()] = value.length === 0 ? null : value.join('=').trim();
  }
  return Object.keys(tags).length <= 10 ? tags : null;
}

export const FILTER_FIELDS: {
  key: keyof Omit<FilterDraft, 'skipSuspended'>;
  label: string;
  hint: string;
  valid: (text: string) => boolean;
}[] = [
  {
    key: 'includeOus',
    label: 'Only these OUs',
    hint: 'OU ids (ou-…), with their subtrees; empty: every OU.',
    valid: (text) => idsOf(text, OU_ID) !== null,
  },
  {
    key: 'excludeOus',
    label: 'Leave out these OUs',
    hint: 'OU ids, with their subtrees: not even listed.',
    valid: (text) => idsOf(text, OU_ID) !== null,
  },
  {
    key: 'includeAccounts',
    label: 'Only these accounts',
    hint: '12-digit account ids; empty: every account.',
    valid: (text) => idsOf(text, ACCOUNT_ID) !== null,
  },
  {
    key: 'excludeAccounts',
    label: 'Leave out these accounts',
    hint: '12-digit account ids.',
    valid: (text) => idsOf(text, ACCOUNT_ID) !== null,
  },
  {
    key: 'tags',
    label: 'Only accounts with these tags',
    hint: "key=value, or key for any value, comma-separated; up to 10. The account's own tags: an OU's do not count.",
    valid: (text) => tagsOf(text) !== null,
  },
  {
    key: 'excludeTags',
    label: 'Leave out accounts with these tags',
    hint: 'key=value, or key for any value, comma-separated; up to 10.',
    valid: (text) => tagsOf(text) !== null,
  },
];

/** The filters in a sentence, for the wizard's last step. */
export function filterSummary(filters: FilterDraft): string {
  const set = FILTER_FIELDS.filter(({ key }) => filters[key].trim() !== '').map(
    ({ key, label }) => `${label}: ${filters[key].trim()}`,
  );
  if (filters.skipSuspended) set.push('Suspended and closing accounts left out');
  return set.length === 0 ? 'None: the whole organization' : set.join('; ');
}
