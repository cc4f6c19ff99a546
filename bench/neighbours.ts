import { writeFile } from 'node:fs/promises';
import autocannon from 'autocannon';
import { DEFAULT_TENANT_REQUESTS } from '../lambdas/integrations/fair-use';
import { DEFAULT_LOCAL_CONFIG } from '../local/config';
import { startTestRuntime } from '../test/fixtures/test-runtime';
import type { NeighboursResult } from './results';

/*
 * Run by `npm run bench` in a process of its own (`bench/run.ts`), since the local runtime's
 * handlers read their environment once per process: the runtime here has a deployment's limits.
 */

/** Ten times a tenant's default share: a script looping, not a person clicking. */
const FLOOD_RATE = DEFAULT_TENANT_REQUESTS.requestsPerSecond * 10;
const QUIET_RATE = 20;

/**
 * One tenant floods the list route at ten times its share while another reads at a person's
 * pace, on a runtime with a deployment's default tier. The quiet tenant's p99 is measured alone,
 * beside the other tenant using exactly its share, and beside the flood. Deployed, each request
 * runs in its own Lambda environment and API Gateway drops the excess before any function runs;
 * here one process serves both tenants, so the share itself costs the neighbour some wait, and
 * what the limit must hold is that the flood costs it no more than the share does.
 */
async function measure(seconds: number): Promise<NeighboursResult> {
  const runtime = await startTestRuntime({
    fairUse: { ...DEFAULT_LOCAL_CONFIG.fairUse, ...DEFAULT_TENANT_REQUESTS },
  });
  try {
    const tokens = {
      quiet: await runtime.issuer.sign({ tenantId: 'bench_quiet', roles: ['tenant_owner'] }),
      noisy: await runtime.issuer.sign({ tenantId: 'bench_noisy', roles: ['tenant_owner'] }),
    };
    const reads = (tenant: keyof typeof tokens, rate: number, duration = seconds) =>
      autocannon({
        url: `${runtime.url}/v1/integrations`,
        connections: tenant === 'quiet' ? 1 : 16,
        overallRate: rate,
        duration,
        headers: { authorization: `Bearer ${tokens[tenant]}` },
      });
    const share = DEFAULT_TENANT_REQUESTS.requestsPerSecond;
    // Warm the route for each tenant, so no pass pays a first call.
    await Promise.all([reads('quiet', QUIET_RATE, 2), reads('noisy', share, 2)]);
    const alone = await reads('quiet', QUIET_RATE);
    const [besideShare] = await Promise.all([reads('quiet', QUIET_RATE), reads('noisy', share)]);
    const [flooded, flood] = await Promise.all([reads('quiet', QUIET_RATE), reads('noisy', FLOOD_RATE)]);
    return {
      seconds,
      floodRate: FLOOD_RATE,
      floodAnswered: flood['2xx'],
      floodThrottled: flood.statusCodeStats?.['429']?.count ?? 0,
      quietP99AloneMs: alone.latency.p99,
      quietP99BesideShareMs: besideShare.latency.p99,
      quietP99FloodedMs: flooded.latency.p99,
    };
  } finally {
    await runtime.stop();
  }
}

/** `tsx bench/neighbours.ts '{"seconds":20,"output":"…"}'`: measures, and writes the result as JSON. */
async function main(): Promise<void> {
  const { seconds, output } = JSON.parse(process.argv[2] ?? '') as { seconds: number; output: string };
  await writeFile(output, JSON.stringify(await measure(seconds)));
}

await main();
