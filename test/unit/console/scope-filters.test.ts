import {
  FILTER_FIELDS,
  filterSummary,
  filtersOf,
  NO_FILTERS,
  tagsOf,
} from '../../../console/src/scope-filters';
import { scopeFiltersSchema } from '../../../schemas/api/integrations';

describe("the wizard's scope filters", () => {
  it('turns typed ids, tags and the suspended choice into the filters the API takes', () => {
    const filters = filtersOf({
      includeOus: 'ou-k3v9-w0rkl0ad, ou-k3v9-s3cur1ty',
      excludeOus: 'ou-k3v9-sandb0x0',
      includeAccounts: '',
      excludeAccounts: '210000005065\n210000004052',
      tags: 'team=platform, cost-center',
      excludeTags: 'sandbox',
      skipSuspended: true,
    });

    expect(filters).toEqual({
      organizationalUnits: {
        include: ['ou-k3v9-w0rkl0ad', 'ou-k3v9-s3cur1ty'],
        exclude: ['ou-k3v9-sandb0x0'],
      },
      accounts: { include: [], exclude: ['210000005065', '210000004052'] },
      skipSuspended: true,
      accountTags: { team: 'platform', 'cost-center': null },
      excludeAccountTags: { sandbox: null },
    });
    // The API's own schema takes them as they are.
    expect(scopeFiltersSchema.parse(filters)).toEqual(filters);
  });

  it.each([
    ['includeOus', 'r-k3v9'],
    ['excludeOus', 'ou-short'],
    ['includeAccounts', '12345'],
    ['excludeAccounts', 'ou-k3v9-sandb0x0'],
    ['tags', '=value'],
    ['excludeTags', ' = '],
  ] as const)('refuses %s holding %p, and marks only that field invalid', (key, typed) => {
    const draft = { ...NO_FILTERS, [key]: typed };

    expect(filtersOf(draft)).toBeNull();
    expect(FILTER_FIELDS.filter((field) => !field.valid(draft[field.key])).map((field) => field.key)).toEqual(
      [key],
    );
  });

  it('keeps an = inside a tag value, and refuses more than 10 tags', () => {
    expect(tagsOf('query=a=b')).toEqual({ query: 'a=b' });
    expect(tagsOf(Array.from({ length: 11 }, (_, n) => `t${n}`).join(','))).toBeNull();
  });

  it('says in a sentence what the filters leave in', () => {
    expect(filterSummary(NO_FILTERS)).toBe('None: the whole organization');
    expect(filterSummary({ ...NO_FILTERS, excludeOus: ' ou-k3v9-sandb0x0 ', skipSuspended: true })).toBe(
      'Leave out these OUs: ou-k3v9-sandb0x0; Suspended and closing accounts left out',
    );
  });
});
