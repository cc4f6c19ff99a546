import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type { BundleResult } from './results';

const run = promisify(execFile);
const LOAD_RUNS = 7;

/** Prints how long importing the module named by argv[1] takes, in milliseconds. */
const LOADER = `
const started = performance.now();
await import(process.argv[1]);
console.log(performance.now() - started);
`;

/**
 * Synthesizes the app as a deployment would (each function bundled and minified by the CDK's
 * local esbuild), then weighs every function's bundle and times importing it with the
 * environment the stack gives it, beside a hello-world bundle.
 */
export async function benchBundles(log: (message: string) => void): Promise<BundleResult[]> {
  // Inside the project, so that a bundle that leaves a module out finds it in node_modules, as
  // Lambda would in its runtime.
  const outdir = await mkdtemp(path.join(process.cwd(), '.bench-cdk-'));
  try {
    log('bundles: cdk synth');
    await run(path.join('node_modules', '.bin', 'cdk'), ['synth', '-q', '-o', outdir], {
      env: { ...process.env, JSII_DEPRECATED: 'quiet' },
      maxBuffer: 64 * 2 ** 20,
    });
    const helloWorld = await helloWorldBundle(outdir);
    const helloWorldLoadMs = await loadTime(helloWorld, {});
    const results: BundleResult[] = [];
    for (const fn of await functionsOf(outdir)) {
      const bundle = path.join(outdir, fn.assetPath, 'index.mjs');
      log(`bundles: ${fn.name}`);
      results.push({
        name: fn.name,
        bundleBytes: (await stat(bundle)).size,
        loadMs: await loadTime(bundle, fn.environment),
        helloWorldLoadMs,
      });
    }
    return results;
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

interface SynthesizedFunction {
  readonly name: string;
  readonly assetPath: string;
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
        assetPath,
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

async function loadTime(bundle: string, environment: Record<string, string>): Promise<number> {
  const times: number[] = [];
  for (let attempt = 0; attempt < LOAD_RUNS; attempt += 1) {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', LOADER, bundle], {
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', ...environment },
    });
    times.push(Number(stdout.trim()));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}
