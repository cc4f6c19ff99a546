import { ScopeRules } from '../../../lambdas/sync/filters';
import { MirrorIndex } from '../../../lambdas/sync/mirror-index';
import type { PacedOrganizations } from '../../../lambdas/sync/organizations';
import { rereadsAllTags, TAG_REREAD_INTERVAL_MS, TagReading } from '../../../lambdas/sync/tags';
import { scopeFiltersSchema } from '../../../schemas/api/integrations';
import type { Folder } from '../../../schemas/sync';
import { aConnection, anIntegration } from '../../fixtures/records';

const ROOT = 'r-k3v9';
const OU = 'ou-k3v9-aaaaaaaa';
const KNOWN = '210000005065';
const NEW = '210000099991';
const NOW = Date.parse('2026-12-07T12:00:00.000Z');

/** Organizations as the tag reader sees it: every resource carries `team` and `stage`. */
function organizations() {
  const read: string[] = [];
  const fake = {
    async resourceTags(id: string) {
      read.push(id);
      return { team: `team-of-${id}`, stage: 'live' };
    },
  };
  return { read, organizations: fake as unknown as PacedOrganizations };
}

const folder = {
  type: 'folder',
  id: OU,
  parentId: ROOT,
  name: 'Unit',
  tags: { team: 'stored' },
} as unknown as Folder;
const known = aConnection(
  'i',
  { permissions: { share: 'none' } },
  { id: KNOWN, parentId: ROOT, tags: { team: 'stored' } },
);
const index = () => new MirrorIndex([folder, known]);
const listing = {
  parentId: ROOT,
  ous: [{ id: OU, name: 'Unit' }],
  accounts: [
    { id: KNOWN, name: 'known', email: null, state: 'ACTIVE' as const },
    { id: NEW, name: 'new', email: null, state: 'ACTIVE' as const },
    { id: '210000099992', name: 'closed', email: null, state: 'CLOSED' as const },
  ],
};
const integration = (tags: Record<string, unknown>, filters: unknown = null) =>
  anIntegration({
    tags: tags as never,
    filters: filters === null ? null : scopeFiltersSchema.parse(filters),
  });

describe('reading tags', () => {
  it('reads only what the mirror lacks, and keeps what it holds, between full reads', async () => {
    const { read, organizations: orgs } = organizations();
    const reading = new TagReading(integration({ read: true }), index(), false);

    const tags = await reading.ofListing(orgs, new ScopeRules(null, index(), null), listing);

    expect(read).toEqual([NEW]);
    expect(tags.get(OU)).toEqual({ team: 'stored' });
    expect(tags.get(KNOWN)).toEqual({ team: 'stored' });
    expect(tags.get(NEW)).toEqual({ team: `team-of-${NEW}`, stage: 'live' });
    expect(tags.has('210000099992')).toBe(false);
  });

  it('reads every kept OU and account again on a full read', async () => {
    const { read, organizations: orgs } = organizations();
    const reading = new TagReading(integration({ read: true }), index(), true);

    await reading.ofListing(orgs, new ScopeRules(null, index(), null), listing);

    expect(read.sort()).toEqual([KNOWN, NEW, OU].sort());
  });

  it('for tag rules alone, reads accounts but not OUs, and keeps only the keys the rules name', async () => {
    const { read, organizations: orgs } = organizations();
    const filtered = integration({ read: false }, { excludeAccountTags: { stage: 'retired' } });
    const reading = new TagReading(filtered, index(), true);

    const tags = await reading.ofListing(orgs, new ScopeRules(filtered.filters, index(), null), listing);

    expect(read.sort()).toEqual([KNOWN, NEW]);
    expect(tags.get(NEW)).toEqual({ stage: 'live' });
  });

  it('with keys named, keeps those and the rule keys', async () => {
    const { organizations: orgs } = organizations();
    const reading = new TagReading(integration({ read: true, keys: ['team'] }), index(), false);

    expect(await reading.read(orgs, NEW)).toEqual({ team: `team-of-${NEW}` });
  });

  it('reads nothing when neither the integration nor its filters need tags', async () => {
    const { read, organizations: orgs } = organizations();
    const reading = new TagReading(integration({ read: false }), index(), true);

    const tags = await reading.ofListing(orgs, new ScopeRules(null, index(), null), listing);

    expect(read).toEqual([]);
    expect(tags.size).toBe(0);
  });

  it.each([
    [null, 'schedule', true],
    [NOW - 3_600_000, 'schedule', false],
    [NOW - 3_600_000, 'manual', false],
    [NOW - 3_600_000, 'settings', true],
    [NOW - TAG_REREAD_INTERVAL_MS, 'schedule', true],
  ] as const)('after a full read at %p, a %s walk reads every tag again: %p', (readAt, trigger, expected) => {
    expect(rereadsAllTags(readAt, trigger, NOW)).toBe(expected);
  });
});
