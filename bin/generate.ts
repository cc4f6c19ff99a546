import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GENERATED_DIR, generatedFiles } from '../schemas/generated-files';

/**
 * `npm run generate`: writes what consumers code against into schemas/generated/, from the zod
 * sources. Commit the result; a unit test fails while the committed files differ.
 */
async function main(): Promise<void> {
  await rm(GENERATED_DIR, { recursive: true, force: true });
  const files = generatedFiles();
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  console.log(`wrote ${Object.keys(files).length} files to ${GENERATED_DIR}/`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
