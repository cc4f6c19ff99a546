const MAX_HANDLE = 63;

/**
 * The handles a node may get, best first: the prefix and the name's slug, then the same with a
 * piece of the node's id, then with the whole id. The list depends only on the prefix, name and
 * id, so a collision resolves the same way on every run.
 */
export function handleCandidates(prefix: string | null, name: string, id: string): string[] {
  const slug = slugOf(name) || 'unnamed';
  let base = `${prefix ?? ''}${slug}`;
  if (!/^[a-z]/.test(base)) base = `n_${base}`;
  const idSlug = slugOf(id);
  const withSuffix = (suffix: string) => `${base.slice(0, MAX_HANDLE - suffix.length - 1)}_${suffix}`;
  return [...new Set([base.slice(0, MAX_HANDLE), withSuffix(idSlug.slice(-4)), withSuffix(idSlug)])];
}

/** Lower-case ASCII letters, digits and single underscores; accents fold to their letter. */
function slugOf(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}
