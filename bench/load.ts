import autocannon from 'autocannon';
import type { LocalRuntime } from '../local/runtime';
import type { Connection } from '../schemas/sync';
import { localApi } from '../test/fixtures/local-api';
import { median } from './latency';
import type { LoadResult } from './results';

const TENANT = { tenantId: 'bench_load' };
const READ_CONNECTIONS = 16;
const WRITERS = 8;
/** Writers share these connections, so some of their writes race and must come back 412. */
const EDITED = 12;
const SYNC_EVERY_MS = 2_000;

/**
 * The load: autocannon reads the API for `seconds` while writers PATCH connections with
 * If-Match (each reads the version, then writes it) and syncs are requested every two seconds.
 * Afterwards each edited connection must show its last accepted write, and its version must have
 * grown by exactly the number of writes accepted for it.
 */
export async function benchLoad(
  runtime: LocalRuntime,
  log: (message: string) => void,
  { seconds }: { seconds: number },
): Promise<LoadResult> {
  const api = localApi(() => runtime);
  const integration = await api.createOrganizationIntegration(TENANT, {
    handle: 'load',
    roleName: 'LoadDiscovery',
  });
  await runtime.settled();
  const base = `/v1/integrations/${integration.id}`;
  const tree = (await api.call(TENANT, 'GET', `${base}/tree?limit=100`)).body as {
    items: { type: string; id: string }[];
  };
  const edited = tree.items.filter((node) => node.type === 'connection').slice(0, EDITED);
  const connection = async (id: string) =>
    (await api.call(TENANT, 'GET', `${base}/connections/${id}`)).body as Connection;
  const initialVersions = new Map<string, number>();
  for (const { id } of edited) initialVersions.set(id, (await connection(id)).version);

  log(`load: ${seconds} s of reads (${READ_CONNECTIONS} connections), ${WRITERS} writers, a sync every 2 s`);
  const token = await runtime.issuer.sign({ tenantId: TENANT.tenantId, roles: ['tenant_owner'] });
  const endAt = performance.now() + seconds * 1000;
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 250);
  let serverErrors = 0;
  const accepted = new Map<string, { version: number; handle: string }[]>();
  const writes = { accepted: 0, stale: 0, other: 0 };
  let serial = 0;

  const writer = async (index: number) => {
    for (let turn = 0; performance.now() < endAt; turn += 1) {
      const target = edited[(index * 7 + turn) % edited.length];
      if (!target) return;
      const read = await api.call(TENANT, 'GET', `${base}/connections/${target.id}`);
      if (read.status >= 500) serverErrors += 1;
      const { version } = read.body as Connection;
      const handle = `load_${++serial}`;
      const answer = await api.call(
        TENANT,
        'PATCH',
        `${base}/connections/${target.id}`,
        { handle },
        { 'if-match': `"${version}"` },
      );
      if (answer.status >= 500) serverErrors += 1;
      if (answer.status === 200) {
        writes.accepted += 1;
        const after = answer.body as Connection;
        accepted.set(target.id, [...(accepted.get(target.id) ?? []), { version: after.version, handle }]);
      } else if (answer.status === 412) writes.stale += 1;
      else writes.other += 1;
    }
  };
  let syncsRequested = 0;
  const syncs = async () => {
    while (performance.now() < endAt) {
      const answer = await api.call(TENANT, 'POST', `${base}/sync`);
      if (answer.status >= 500) serverErrors += 1;
      syncsRequested += 1;
      await new Promise((resolve) => setTimeout(resolve, SYNC_EVERY_MS));
    }
  };
  const first = edited[0]?.id ?? '';
  const [reads] = await Promise.all([
    autocannon({
      url: runtime.url,
      connections: READ_CONNECTIONS,
      duration: seconds,
      headers: { authorization: `Bearer ${token}` },
      requests: [
        { method: 'GET', path: `${base}/status` },
        { method: 'GET', path: `${base}/tree` },
        { method: 'GET', path: '/v1/integrations' },
        { method: 'GET', path: `${base}/connections/${first}` },
      ],
    }),
    ...Array.from({ length: WRITERS }, (_, index) => writer(index)),
    syncs(),
  ]);
  clearInterval(sampler);
  serverErrors += reads['5xx'] + reads.errors + reads.timeouts;
  await runtime.settled();

  let lostUpdates = 0;
  for (const { id } of edited) {
    const now = await connection(id);
    const mine = accepted.get(id) ?? [];
    const last = mine.reduce((latest, write) => (write.version > latest.version ? write : latest), {
      version: initialVersions.get(id) ?? 0,
      handle: now.handle,
    });
    if (now.handle !== last.handle) lostUpdates += 1;
    lostUpdates += Math.abs(now.version - (initialVersions.get(id) ?? 0) - mine.length);
  }
  const tenth = Math.max(1, Math.floor(rss.length / 10));
  return {
    seconds,
    reads: reads.requests.total,
    readP50Ms: reads.latency.p50,
    readP99Ms: reads.latency.p99,
    writesAccepted: writes.accepted,
    writesStale: writes.stale,
    writesOther: writes.other,
    syncsRequested,
    serverErrors,
    lostUpdates,
    rssStartMiB: median(rss.slice(0, tenth)) / 2 ** 20,
    rssEndMiB: median(rss.slice(-tenth)) / 2 ** 20,
  };
}
