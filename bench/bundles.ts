import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { median } from './latency';
import type { BundleResult } from './results';

const run = promisify(execFile);
const LOAD_RUNS = 15;

/**
 * Print how long loading the file named by argv[1] takes, in milliseconds, in a fresh `node`:
 * `require` for a CommonJS bundle, as Lambda's runtime loads an `index.js`, and `import()` for
 * the hello world, an ES module measured as it was when the load targets were set against it.
 */
const REQUIRE_LOADER = `
const started = performance.now();
require(process.argv[1]);
console.log(performance.now() - started);
`;
const IMPORT_LOADER = `
const started = performance.now();
await import(process.argv[1]);
console.log(performance.now() - started);
`;

/** What a deployment that traces AWS calls sets, and what tells Powertools it runs in Lambda. */
const TRACING_ON = { POWERTOOLS_TRACE_ENABLED: 'true', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' };

/**
 * Synthesizes the app as a deployment would (each function bundled and minified by the CDK's
 * local esbuild), then weighs every function's bundle and times loading it with the
 * environment the stack gives it, each run beside a run of a hello-world bundle: the machine's
 * pace moves between functions, so each function is compared with the hello world of its own
 * runs. It times each bundle again as a deployment that traces AWS calls loads it.
 */
export async function benchBundles(log: (message: string) => void): Promise<BundleResult[]> {
  const synthesized = await synthesizeFunctions(log);
  try {
    const helloWorld = await helloWorldBundle(synthesized.outdir);
    const results: BundleResult[] = [];
    for (const fn of synthesized.functions) {
      log(`bundles: ${fn.name}`);
      const load = await loadTimes(fn.bundle, fn.environment, helloWorld);
      const traced = await loadTimes(fn.bundle, { ...fn.environment, ...TRACING_ON }, helloWorld);
      results.push({
        name: fn.name,
        bundleBytes: (await stat(fn.bundle)).size,
        loadMs: load.bundleMs,
        helloWorldLoadMs: load.helloWorldMs,
        tracedLoadMs: traced.bundleMs,
        tracedHelloWorldLoadMs: traced.helloWorldMs,
      });
    }
    return results;
  } finally {
    await synthesized.remove();
  }
}

/** Our functions as `cdk synth` bundles them, in a scratch folder that `remove()` deletes. */
export async function synthesizeFunctions(log: (message: string) => void): Promise<{
  readonly outdir: string;
  readonly functions: readonly SynthesizedFunction[];
  readonly remove: () => Promise<void>;
}> {
  // Inside the project, so that a bundle that leaves a module out finds it in node_modules, as
  // Lambda would in its runtime.
  const outdir = await mkdtemp(path.join(process.cwd(), '.bench-cdk-'));
  const remove = () => rm(outdir, { recursive: true, force: true });
  try {
    // Lambda's task root has no package.json, so its .js files are CommonJS; the project's own
    // says "module", which this one overrides below it.
    await writeFile(path.join(outdir, 'package.json'), '{ "type": "commonjs" }\n');
    log('cdk synth');
    await run(path.join('node_modules', '.bin', 'cdk'), ['synth', '-q', '-o', outdir], {
      env: { ...process.env, JSII_DEPRECATED: 'quiet' },
      maxBuffer: 64 * 2 ** 20,
    });
    return { outdir, functions: await functionsOf(outdir), remove };
  } catch (error: unknown) {
    await remove();
    throw error;
  }
}

export interface SynthesizedFunction {
  readonly name: string;
  /** Its minified `index.js`. */
  readonly bundle: string;
  /** Its environment from the template, with a placeholder for each value resolved at deploy time. */
  readonly environment: Record<string, string>;
}

async function functionsOf(outdir: string): Promise<SynthesizedFunction[]> {
  const template = JSON.parse(
    await readFile(path.join(outdir, 'OrgConnections-Stateless.template.json'), 'utf8'),
  ) as {
    Resources: Record<
      string,
      {
        Type: string;
        Metadata?: Record<string, unknown>;
        Properties?: { Environment?: { Variables?: Record<string, unknown> } };
      }
    >;
  };
  return Object.entries(template.Resources).flatMap(([logicalId, resource]) => {
    const assetPath = resource.Metadata?.['aws:asset:path'];
    if (resource.Type !== 'AWS::Lambda::Function' || typeof assetPath !== 'string') return [];
    const variables = resource.Properties?.Environment?.Variables ?? {};
    // Ours only: CDK's own functions (the console's BucketDeployment) are not bundles of ours.
    if (variables.POWERTOOLS_SERVICE_NAME !== 'aws-org-connections') return [];
    return [
      {
        name: logicalId.replace(/Function[0-9A-F]{8}$/, ''),
        bundle: path.join(outdir, assetPath, 'index.js'),
        // References to other resources are resolved at deploy time; any name will do here.
        environment: Object.fromEntries(
          Object.entries(variables).map(([key, value]) => [
            key,
            typeof value === 'string' ? value : placeholderFor(key),
          ]),
        ),
      },
    ];
  });
}

function placeholderFor(variable: string): string {
  if (variable.endsWith('ACCOUNT_ID')) return '123456789012';
  if (variable === 'PARTITION') return 'aws';
  if (/_(URI|URL)$|ISSUER/.test(variable)) return `https://bench.example.test/${variable.toLowerCase()}/`;
  if (/_ARNS?$/.test(variable)) return 'arn:aws:states:us-east-1:123456789012:stateMachine:bench';
  return `bench-${variable.toLowerCase()}`;
}

async function helloWorldBundle(outdir: string): Promise<string> {
  const entry = path.join(outdir, 'hello-world.ts');
  await writeFile(entry, "export const handler = async () => ({ statusCode: 200, body: 'hello' });\n");
  // An ES module, imported: the yardstick the load targets were set against.
  const outfile = path.join(outdir, 'hello-world', 'index.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
  });
  return outfile;
}

/** Median load times of the bundle and of the hello world, run by turns in fresh processes. */
async function loadTimes(
  bundle: string,
  environment: Record<string, string>,
  helloWorld: string,
): Promise<{ bundleMs: number; helloWorldMs: number }> {
  const bundleMs: number[] = [];
  const helloWorldMs: number[] = [];
  for (let attempt = 0; attempt < LOAD_RUNS; attempt += 1) {
    helloWorldMs.push(await loadOnce(helloWorld, {}));
    bundleMs.push(await loadOnce(bundle, environment));
  }
  return { bundleMs: median(bundleMs), helloWorldMs: median(helloWorldMs) };
}

async function loadOnce(bundle: string, environment: Record<string, string>): Promise<number> {
  const loader = bundle.endsWith('.mjs')
    ? ['--input-type=module', '-e', IMPORT_LOADER]
    : ['--input-type=commonjs', '-e', REQUIRE_LOADER];
  const { stdout } = await run(process.execPath, [...loader, bundle], {
    env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', ...environment },
  });
  return Number(stdout.trim());
}
