import { readdirSync } from 'node:fs';
import { build } from 'esbuild';

/*
 * The evaluator is AGPL-3.0: it may serve this suite, but it must never reach what we deploy.
 * Each function's entry is bundled as the stack bundles it, and its inputs are read.
 */

jest.setTimeout(120_000);

const ENTRIES = readdirSync('lambdas/functions').map((file) => `lambdas/functions/${file}`);

/** The packages a bundle of `entry` is made of. */
async function packagesIn(entry: string): Promise<Set<string>> {
  const { metafile } = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    logLevel: 'silent',
  });
  const packages = Object.keys(metafile.inputs).flatMap((input) => {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    return match?.[1] ? [match[1]] : [];
  });
  return new Set(packages);
}

describe('the deployed bundles', () => {
  it('are the twelve functions the stack deploys', () => {
    expect(ENTRIES).toHaveLength(12);
  });

  it.each(ENTRIES)('%s holds nothing of the IAM evaluator', async (entry) => {
    const packages = await packagesIn(entry);

    expect(packages.size).toBeGreaterThan(0);
    expect([...packages].filter((name) => name.startsWith('@cloud-copilot/'))).toEqual([]);
  });

  it('would be caught: a bundle of the evaluator suite holds it', async () => {
    expect(await packagesIn('test/iam/evaluator.ts')).toContain('@cloud-copilot/iam-simulate');
  });
});
