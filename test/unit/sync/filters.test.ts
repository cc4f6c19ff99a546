import { ScopeRules } from '../../../lambdas/sync/filters';
import { MirrorIndex } from '../../../lambdas/sync/mirror-index';
import { scopeFiltersSchema } from '../../../schemas/api/integrations';
import type { Folder } from '../../../schemas/sync';

const ROOT = 'r-k3v9';
/** r-k3v9 → ou-k3v9-aaaaaaaa → ou-k3v9-bbbbbbbb → ou-k3v9-cccccccc; r-k3v9 → ou-k3v9-dddddddd */
const [A, B, C, D] = ['aaaaaaaa', 'bbbbbbbb', 'cccccccc', 'dddddddd'].map(
  (suffix) => `ou-k3v9-${suffix}`,
) as [string, string, string, string];

function folder(id: string, parentId: string): Folder {
  return { type: 'folder', id, parentId } as Folder;
}

const index = () => new MirrorIndex([folder(A, ROOT), folder(B, A), folder(C, B), folder(D, ROOT)]);
const rules = (filters: unknown, waysDown: string[] | null = []) =>
  new ScopeRules(scopeFiltersSchema.parse(filters), index(), waysDown === null ? null : new Set(waysDown));
const active = (id: string) => ({ id, state: 'ACTIVE' as const });

describe('scope filters', () => {
  it('lets everything through without filters', () => {
    const none = new ScopeRules(null, index(), null);

    expect(none.keepsFolder(B, A)).toBe(true);
    expect(none.keepsAccount({ id: '111111111111', state: 'SUSPENDED' }, C)).toBe(true);
  });

  it('leaves out an excluded OU with everything below it', () => {
    const excluded = rules({ organizationalUnits: { exclude: [B] } });

    expect(excluded.keepsFolder(B, A)).toBe(false);
    expect(excluded.keepsFolder(C, B)).toBe(false);
    expect(excluded.keepsAccount(active('111111111111'), C)).toBe(false);
    expect(excluded.keepsFolder(D, ROOT)).toBe(true);
    expect(excluded.keepsAccount(active('111111111111'), A)).toBe(true);
    expect(excluded.keepsAccount(active('111111111111'), ROOT)).toBe(true);
  });

  it('with an included OU, keeps its subtree and the OUs on the way down, but only its accounts', () => {
    const included = rules({ organizationalUnits: { include: [B] } }, [A]);

    expect(included.keepsFolder(A, ROOT)).toBe(true); // the way down
    expect(included.keepsFolder(B, A)).toBe(true);
    expect(included.keepsFolder(C, B)).toBe(true);
    expect(included.keepsFolder(D, ROOT)).toBe(false);
    expect(included.keepsAccount(active('111111111111'), C)).toBe(true);
    expect(included.keepsAccount(active('111111111111'), A)).toBe(false);
    expect(included.keepsAccount(active('111111111111'), ROOT)).toBe(false);
  });

  it('takes the stored folders as the way down in a targeted run', () => {
    const targeted = rules({ organizationalUnits: { include: [B] } }, null);

    expect(targeted.keepsFolder(A, ROOT)).toBe(true);
    expect(targeted.keepsFolder('ou-k3v9-eeeeeeee', ROOT)).toBe(false);
  });

  it('selects by tag: every named tag, with its value or any value, and reads tags only when asked to', () => {
    const tagged = rules({ accountTags: { team: 'platform', 'cost-center': null } });

    expect(tagged.selectsByTag).toBe(true);
    expect(rules({}).selectsByTag).toBe(false);
    expect(tagged.keepsAccount(active('111111111111'), ROOT, { team: 'platform', 'cost-center': '42' })).toBe(
      true,
    );
    expect(tagged.keepsAccount(active('111111111111'), ROOT, { team: 'platform' })).toBe(false);
    expect(tagged.keepsAccount(active('111111111111'), ROOT, { team: 'data', 'cost-center': '42' })).toBe(
      false,
    );
    // Without tags, only the other filters decide: whether the tags are worth reading.
    expect(tagged.keepsAccount(active('111111111111'), ROOT)).toBe(true);
  });

  it('excludes by tag: an account with any named tag (with that value, or any value) is left out', () => {
    const excluding = rules({ excludeAccountTags: { sandbox: null, stage: 'retired' } });

    expect(excluding.selectsByTag).toBe(true);
    expect(excluding.keepsAccount(active('111111111111'), ROOT, { stage: 'live' })).toBe(true);
    expect(excluding.keepsAccount(active('111111111111'), ROOT, { stage: 'retired' })).toBe(false);
    expect(excluding.keepsAccount(active('111111111111'), ROOT, { sandbox: '' })).toBe(false);
    expect(excluding.keepsAccount(active('111111111111'), ROOT, {})).toBe(true);
  });

  it('narrows by account ids and skips suspended accounts', () => {
    const accounts = rules({
      accounts: { include: ['111111111111', '222222222222'], exclude: ['222222222222'] },
      skipSuspended: true,
    });

    expect(accounts.keepsAccount(active('111111111111'), ROOT)).toBe(true);
    expect(accounts.keepsAccount(active('222222222222'), ROOT)).toBe(false);
    expect(accounts.keepsAccount(active('333333333333'), ROOT)).toBe(false);
    expect(accounts.keepsAccount({ id: '111111111111', state: 'SUSPENDED' }, ROOT)).toBe(false);
    expect(accounts.keepsAccount({ id: '111111111111', state: 'PENDING_CLOSURE' }, ROOT)).toBe(false);
  });
});
