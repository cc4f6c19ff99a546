import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { CONSOLE_DIR, CONSOLE_VITE_CONFIG } from '../local/console';

export interface ConsoleResult {
  /** The scripts the page loads before it shows anything: its entry and the modules it preloads. */
  readonly initialScripts: readonly string[];
  readonly initialJsBytes: number;
  /** The same, gzipped at level 9, as a CDN would serve them compressed. */
  readonly initialJsGzipBytes: number;
}

/** The budget for the console's initial JavaScript, gzipped. */
export const CONSOLE_JS_BUDGET_BYTES = 150 * 1024;

/** Builds the console as it ships, and weighs the JavaScript its page loads first. */
export async function benchConsole(log: (line: string) => void): Promise<ConsoleResult> {
  log('console: building it and weighing its initial JavaScript');
  await promisify(execFile)(path.resolve('node_modules', '.bin', 'vite'), [
    'build',
    '--config',
    CONSOLE_VITE_CONFIG,
    '--logLevel',
    'warn',
  ]);
  return weighConsole();
}

async function weighConsole(): Promise<ConsoleResult> {
  const page = await readFile(path.join(CONSOLE_DIR, 'index.html'), 'utf8');
  const initialScripts = [
    ...page.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+\.js)"/g),
  ]
    .map((match) => match[1] ?? '')
    .filter(Boolean);
  const contents = await Promise.all(
    initialScripts.map((script) => readFile(path.join(CONSOLE_DIR, script.replace(/^\.?\//, '')))),
  );
  return {
    initialScripts,
    initialJsBytes: contents.reduce((sum, content) => sum + content.length, 0),
    initialJsGzipBytes: contents.reduce((sum, content) => sum + gzipSync(content, { level: 9 }).length, 0),
  };
}
