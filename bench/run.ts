/**
 * `npm run bench`: how close the sync comes to what AWS's rate limits allow, what a sync with
 * nothing to change costs, what reading tags adds, what the member check asks of AWS, what an Organizations event costs, what the credentials broker's
 * cache saves, how big and quick to load each function is, and what the API adds to the
 * store's own queries. Every figure is printed as a
 * ratio against a bound or a baseline measured in the same run, checked against its target,
 * and written to `bench/results/latest.json`. Exits 1 when a target is missed.
 *
 *   npm run bench                      # quick: 1,000 and 10,000 accounts, no load section
 *   npm run bench -- --full            # adds 50,000 accounts, the API on 10,000, and the load
 *   npm run bench -- --only sync,api   # some sections only: sync, tags, checks, targeted, audit, credentials, bundles,
 *                                      # cold-path, console, console-pages, api, load
 *   npm run bench -- --time-factor 4 --latency-ms 40
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { startTestRuntime } from '../test/fixtures/test-runtime';
import { benchApi } from './api';
import { benchAudit } from './audit';
import { benchBundles } from './bundles';
import { benchColdPath } from './cold-path';
import { benchConsole } from './console';
import { benchCredentials } from './credentials';
import { benchLoad } from './load';
import type { MemberCheckInput } from './member-check-size';
import { checksOf, printReport } from './report';
import type {
  BenchResults,
  ConsolePagesResult,
  MemberCheckResult,
  NeighboursResult,
  SizeResult,
  TagsResult,
} from './results';
import type { SizeInput } from './sync-size';
import type { TagsInput } from './tags-size';
import { benchTargeted } from './targeted';
import { benchTenantScope } from './tenant-scope';

const SECTIONS = [
  'sync',
  'tags',
  'checks',
  'targeted',
  'audit',
  'credentials',
  'bundles',
  'cold-path',
  'console',
  'console-pages',
  'api',
  'load',
] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    only: { type: 'string' },
    'time-factor': { type: 'string' },
    'latency-ms': { type: 'string', default: '40' },
  },
});
const full = values.full ?? false;
const sections = new Set<Section>(
  values.only
    ? (values.only.split(',') as Section[]).filter((name) => SECTIONS.includes(name))
    : SECTIONS.filter((name) => full || name !== 'load'),
);
/**
 * Time runs this many times faster in the sync benchmark, so the 50,000-account walk fits. The
 * store's time is not scaled: DynamoDB Local takes 40–80 ms of real time for a transaction
 * of a full sync here, so at 8 it, not the rate limits, would set the pace of a full sync.
 */
const timeFactor = Number(values['time-factor'] ?? 4);
const latencyMs = Number(values['latency-ms']);
const SIZES = [
  { accounts: 1_000, ous: 100, depth: 5, seed: 1 },
  { accounts: 10_000, ous: 1_000, depth: 5, seed: 1 },
  ...(full ? [{ accounts: 50_000, ous: 2_000, depth: 5, seed: 1 }] : []),
];
const RESULTS = path.join('bench', 'results');
/**
 * The API's load and the console's pages: a 10,000-account mirror takes minutes to write, so the
 * quick run reads a smaller one.
 */
const API_QUICK = { accounts: 1_000, ous: 100, seconds: 10 };
const API_FULL = { accounts: 10_000, ous: 1_000, seconds: 20 };
/** The load section: reads, If-Match writes and syncs at once. */
const LOAD_SECONDS = 60;
/** Each pass of the neighbours' measurement: the quiet tenant alone, then beside the flood. */
const NEIGHBOURS_SECONDS = 20;

async function main(): Promise<void> {
  await mkdir(RESULTS, { recursive: true });
  const cpus = os.cpus();
  const results: BenchResults = {
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
    },
    startedAt: new Date().toISOString(),
    settings: { full, timeFactor, latencyMs },
    sizes: [],
    tags: [],
    memberChecks: [],
    targeted: [],
    audit: null,
    credentials: null,
    functions: [],
    coldPath: [],
    console: null,
    consolePages: null,
    api: [],
    tenantScope: null,
    load: null,
    neighbours: null,
    checks: [],
  };
  // Written after every section, so a section that fails leaves the figures of the others.
  const save = async () => {
    results.checks = checksOf(results);
    await writeFile(path.join(RESULTS, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  };
  if (sections.has('sync')) {
    for (const shape of SIZES) {
      log(`sync: ${shape.accounts} accounts, ${shape.ous} OUs (time ×${timeFactor})`);
      results.sizes.push(
        await withOwnDynamoDb((endpoint) =>
          inFreshProcess<SizeResult>('sync-size.ts', {
            endpoint,
            shape,
            timeFactor,
            latencyMs,
          } satisfies Omit<SizeInput, 'output'>),
        ),
      );
      await save();
    }
  }
  if (sections.has('tags')) {
    for (const shape of SIZES.filter((size) => size.accounts <= 10_000)) {
      log(`tags: ${shape.accounts} accounts, ${shape.ous} OUs`);
      results.tags.push(
        await withOwnDynamoDb((endpoint) =>
          inFreshProcess<TagsResult>('tags-size.ts', { endpoint, shape } satisfies Omit<TagsInput, 'output'>),
        ),
      );
      await save();
    }
  }
  if (sections.has('checks')) {
    for (const shape of SIZES.filter((size) => size.accounts <= 10_000)) {
      log(`checks: ${shape.accounts} accounts, each with its member role`);
      results.memberChecks.push(
        await withOwnDynamoDb((endpoint) =>
          inFreshProcess<MemberCheckResult>('member-check-size.ts', {
            endpoint,
            shape,
          } satisfies Omit<MemberCheckInput, 'output'>),
        ),
      );
      await save();
    }
  }
  if (
    ['targeted', 'audit', 'credentials', 'cold-path', 'api', 'load'].some((section) =>
      sections.has(section as Section),
    )
  ) {
    const runtime = await startTestRuntime();
    try {
      if (sections.has('targeted')) {
        results.targeted = await benchTargeted(runtime, log);
        await save();
      }
      if (sections.has('audit')) {
        results.audit = await benchAudit(runtime, log);
        await save();
      }
      if (sections.has('credentials')) {
        results.credentials = await benchCredentials(runtime, log);
        await save();
      }
      if (sections.has('cold-path')) {
        results.coldPath = await benchColdPath(runtime, log);
        await save();
      }
      if (sections.has('api')) {
        results.api = await benchApi(runtime, log, full ? API_FULL : API_QUICK);
        results.tenantScope = await benchTenantScope(runtime, log);
        await save();
      }
      if (sections.has('load')) {
        results.load = await benchLoad(runtime, log, { seconds: LOAD_SECONDS });
        await save();
        log(
          `load: a quiet tenant alone, beside another using its share, and beside its flood (${NEIGHBOURS_SECONDS} s each)`,
        );
        results.neighbours = await inFreshProcess<NeighboursResult>('neighbours.ts', {
          seconds: NEIGHBOURS_SECONDS,
        });
        await save();
      }
    } finally {
      await runtime.stop();
    }
  }
  if (sections.has('bundles')) {
    results.functions = await benchBundles(log);
    await save();
  }
  if (sections.has('console')) {
    results.console = await benchConsole(log);
    await save();
  }
  if (sections.has('console-pages')) {
    const { accounts } = full ? API_FULL : API_QUICK;
    log(`console: the tree, a search and a sync's progress at ${accounts.toLocaleString('en-US')} accounts`);
    results.consolePages = await inFreshProcess<ConsolePagesResult>(
      'console-pages.ts',
      full ? API_FULL : API_QUICK,
    );
    await save();
  }
  log('done');
  printReport(results);
  if (results.checks.some((check) => !check.met)) process.exitCode = 1;
}

/**
 * A DynamoDB Local of its own for one organization size: the stream records an earlier size left
 * behind slow every later transaction of the same process.
 */
async function withOwnDynamoDb<T>(run: (endpoint: string) => Promise<T>): Promise<T> {
  const dynamo = await startDynamoDbLocal();
  try {
    return await run(dynamo.endpoint);
  } finally {
    await dynamo.stop();
  }
}

/**
 * A bench script in a fresh process, which writes its result as JSON to `output`. A process of
 * its own gives a size its own peak memory, and a local runtime the handler modules it loads:
 * those read their environment at import, so a second runtime in one process would reach the
 * first one's table and keys.
 */
async function inFreshProcess<T>(script: string, input: Record<string, unknown>): Promise<T> {
  const output = path.join(os.tmpdir(), `bench-${path.basename(script, '.ts')}-${process.pid}.json`);
  await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', path.join('bench', script), JSON.stringify({ ...input, output })],
    { env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' }, maxBuffer: 64 * 2 ** 20 },
  );
  try {
    return JSON.parse(await readFile(output, 'utf8')) as T;
  } finally {
    await rm(output, { force: true });
  }
}

const benchStartedAt = performance.now();

/** A progress line, with the time since the run began, so each section's share shows. */
function log(message: string): void {
  const seconds = Math.round((performance.now() - benchStartedAt) / 1000);
  const elapsed = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  process.stderr.write(`[bench ${elapsed}] ${message}\n`);
}

await main();
