import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { CONSOLE_DIR, CONSOLE_PATH, CONSOLE_VITE_CONFIG } from '../local/console';
import { localDynamoDbClient } from '../local/dynamodb-local';
import { createSyncWorld } from '../test/fixtures/sync-world';
import { startTestRuntime } from '../test/fixtures/test-runtime';
import type { ConsolePagesResult, ConsoleResult } from './results';

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

/** The console's targets: the tree's first page, a search, and a sync's progress. */
export const CONSOLE_TARGETS = { firstPageMs: 1_000, searchMs: 300, pollIntervalMs: 2_000 } as const;

/**
 * The console in Debian's chromium against a local runtime holding a mirror of `accounts`
 * accounts for the tenant `demo`: how soon the integration's tree shows, how fast a search
 * answers once it is loaded, and how soon a sync's progress reaches the open page.
 */
export async function benchConsolePages(
  log: (line: string) => void,
  { accounts, ous }: { accounts: number; ous: number },
): Promise<ConsolePagesResult> {
  const runtime = await startTestRuntime();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  try {
    log(`console: mirroring ${accounts.toLocaleString('en-US')} accounts for the tenant demo`);
    const world = await createSyncWorld({
      client: localDynamoDbClient(runtime.dynamoDbEndpoint),
      tableName: runtime.config.tableName,
      shape: { accounts, ous, depth: 5 },
      tenantId: 'demo',
    });
    await world.run();
    await runtime.settled();
    const { handle, id } = world.integration;
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${runtime.url}${CONSOLE_PATH}`);
    await page.getByRole('button', { name: 'demo — tenant owner' }).click();
    const link = page.getByRole('link', { name: handle, exact: true });
    // Not a measured figure: after the sections before it the machine may still be busy.
    await link.waitFor({ timeout: 120_000 });

    log('console: the tree, a search, and a sync seen from the page');
    const clicked = performance.now();
    await link.click();
    await page.getByRole('treeitem').first().waitFor();
    const firstPageMs = performance.now() - clicked;
    await page.getByText(/^\d+ folders and connections$/).waitFor({ timeout: 600_000 });
    const wholeTreeMs = performance.now() - clicked;

    const [account] = world.sandbox.snapshot().accounts.slice(-1);
    const typed = performance.now();
    await page.getByRole('searchbox').fill(account?.id ?? '');
    await page
      .getByRole('list', { name: 'Search results' })
      .getByText(account?.id ?? '')
      .waitFor();
    const searchMs = performance.now() - typed;

    // A re-sync started behind the page's back: the lag from the status route's first word of it
    // to the page showing it, as the page polls.
    const token = await runtime.issuer.sign({ tenantId: 'demo', roles: ['tenant_owner'] });
    const status = `${runtime.url}/v1/integrations/${id}/status`;
    const before = await runOf(status, token);
    const syncing = world.run({ budgetMs: 200 });
    let seen = performance.now();
    while ((await runOf(status, token)) === before) seen = performance.now();
    // The mirror is unchanged: the new run counts no change, where the first counted every node.
    await page.getByText('0 created, 0 updated, 0 deleted').waitFor({ timeout: 30_000 });
    const progressLagMs = performance.now() - seen;
    await syncing;
    return {
      accounts,
      ous,
      firstPageMs,
      wholeTreeMs,
      searchMs,
      progressLagMs,
      pollIntervalMs: CONSOLE_TARGETS.pollIntervalMs,
    };
  } finally {
    await browser.close();
    await runtime.stop();
  }
}

/** The id of the run the status route names: the running one, else the last. */
async function runOf(url: string, token: string): Promise<string | undefined> {
  const answer = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const report = (await answer.json()) as {
    currentRun: { id: string } | null;
    lastRun: { id: string } | null;
  };
  return (report.currentRun ?? report.lastRun)?.id;
}
