import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { GENERATED_DIR, generatedFiles } from './generated-files';

/**
 * `npm run generate`: writes what consumers code against into schemas/generated/, from the zod
 * sources. Commit the result. `--check` writes nothing and fails, naming the files, while the
 * committed ones differ from what it would write (a unit test runs it).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
  const files = await generatedFiles();
  if (values.check) {
    const drifted = await driftedFiles(files);
    if (drifted.length > 0) {
      console.error(`${GENERATED_DIR} is not what npm run generate writes:\n  ${drifted.join('\n  ')}`);
      process.exit(1);
    }
    console.log(`${GENERATED_DIR} is up to date (${Object.keys(files).length} files)`);
    return;
  }
  await rm(GENERATED_DIR, { recursive: true, force: true });
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  console.log(`wrote ${Object.keys(files).length} files to ${GENERATED_DIR}/`);
}

/** Files that differ, are missing, or should not be there. */
async function driftedFiles(files: Record<string, string>): Promise<string[]> {
  const committed = (await readdir(GENERATED_DIR, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) =>
      path.posix.join(path.relative('.', entry.parentPath).split(path.sep).join('/'), entry.name),
    );
  const drifted = committed.filter((file) => !(file in files)).map((file) => `${file} (not generated)`);
  for (const [file, text] of Object.entries(files)) {
    const current = await readFile(file, 'utf8').catch(() => undefined);
    if (current === undefined) drifted.push(`${file} (missing)`);
    else if (current !== text) drifted.push(`${file} (differs)`);
  }
  return drifted;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
