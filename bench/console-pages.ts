import { writeFile } from 'node:fs/promises';
import { benchConsolePages } from './console';

/**
 * `tsx bench/console-pages.ts '{"accounts":1000,"ous":100,"output":"…"}'`: the console's pages
 * against a local runtime of this process's own, written as JSON.
 */
async function main(): Promise<void> {
  const { accounts, ous, output } = JSON.parse(process.argv[2] ?? '') as {
    accounts: number;
    ous: number;
    output: string;
  };
  const log = (line: string) => process.stderr.write(`${line}\n`);
  await writeFile(output, JSON.stringify(await benchConsolePages(log, { accounts, ous })));
}

await main();
