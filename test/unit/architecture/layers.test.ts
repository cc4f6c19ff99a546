import { spawnSync } from 'node:child_process';
import path from 'node:path';

/*
 * The layers of lambdas/ as .dependency-cruiser.cjs states them (docs/architecture.md draws
 * them): the project keeps them, and each rule catches the import it forbids.
 */

const ROOT = path.resolve(__dirname, '../../..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = path.join(ROOT, 'node_modules/.bin/depcruise');

jest.setTimeout(60_000);

/** The rule names depcruise reports, with its exit status. */
function cruise(cwd: string, folders: string[]): { status: number | null; broken: string[] } {
  const result = spawnSync(DEPCRUISE, [...folders, '--config', CONFIG, '--output-type', 'err'], {
    cwd,
    encoding: 'utf8',
  });
  const broken = [...result.stdout.matchAll(/error ([a-z-]+):/g)].map((match) => match[1] ?? '');
  return { status: result.status, broken: [...new Set(broken)].sort() };
}

describe('the layers of lambdas/', () => {
  it('hold across the project: no import runs against them, and no module circle', () => {
    const { status, broken } = cruise(ROOT, ['lambdas', 'lib', 'local', 'bench', 'schemas']);

    expect(broken).toEqual([]);
    expect(status).toBe(0);
  });

  it('are enforced: a tree that breaks each rule once fails on every one of them', () => {
    const { status, broken } = cruise(path.join(ROOT, 'test/fixtures/layers'), ['lambdas']);

    expect(status).not.toBe(0);
    expect(broken).toEqual([
      'adapters-implement-ports',
      'capabilities-build-no-adapters',
      'capabilities-stand-alone',
      'composition-below-functions',
      'core-is-the-floor',
      'domain-is-the-kernel',
      'functions-wire-through-composition',
      'no-cycles',
    ]);
  });
});
