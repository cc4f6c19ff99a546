import type { LocalRuntime } from '../local/runtime';
import type { SyncRun } from '../schemas/sync';
import { localApi } from '../test/fixtures/local-api';
import { minimumCalls } from '../test/fixtures/sync-world';
import type { TargetedResult } from './results';

const TENANT = { tenantId: 'bench-targeted' };
const POLL_MS = 5;
const TIMEOUT_MS = 30_000;

/**
 * Each kind of Organizations change, made through the sandbox's admin routes of the local
 * runtime: the change emits its CloudTrail event into the ingress router, which starts a
 * targeted sync, whose events the outbox publisher puts on the bus. Reports the run's
 * Organizations calls and how long the connection-change event took to appear.
 */
export async function benchTargeted(runtime: LocalRuntime, log: (message: string) => void) {
  const api = localApi(() => runtime);
  const sandbox = runtime.sandbox;
  if (!sandbox) throw new Error('the targeted benchmark needs the sandbox');
  const integration = await api.createOrganizationIntegration(TENANT, { handle: 'bench' });
  await runtime.settled();
  const walkCalls = minimumCalls(sandbox);
  const snapshot = sandbox.snapshot();
  const [ou] = snapshot.organizationalUnits;
  const member = snapshot.accounts.find(
    (account) => account.id !== sandbox.managementAccountId && account.state === 'ACTIVE',
  );
  if (!ou || !member) throw new Error('the sandbox organization is too small');

  const runIds = new Set<string>();
  const runsOf = async () => {
    const answer = await api.call(TENANT, 'GET', `/v1/integrations/${integration.id}/runs?limit=100`);
    return (answer.body as { items: SyncRun[] }).items;
  };
  /** Lets every run end, and leaves their calls out of what comes next. */
  const settle = async () => {
    await runtime.settled();
    for (const run of await runsOf()) runIds.add(run.id);
  };
  await settle();

  /** Makes the change, waits for its event on the bus, then for its runs to end. */
  async function measure(event: string, change: string, act: () => Promise<unknown>) {
    log(`targeted: ${event}`);
    const since = runtime.bus.list().length;
    const startedAt = performance.now();
    await act();
    let secondsToChange = Number.NaN;
    while (performance.now() - startedAt < TIMEOUT_MS) {
      if (runtime.bus.list(since).some((published) => published['detail-type'] === change)) {
        secondsToChange = (performance.now() - startedAt) / 1000;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    await runtime.settled();
    const runs = (await runsOf()).filter((run) => !runIds.has(run.id));
    for (const run of runs) runIds.add(run.id);
    const orgCalls = runs.reduce((sum, run) => sum + run.progress.organizationsCalls, 0);
    return { event, orgCalls, walkCalls, secondsToChange, change };
  }

  const idOf = (answer: { body: unknown }) => (answer.body as { id: string }).id;
  const results: TargetedResult[] = [];
  let created = '';
  results.push(
    await measure('CreateOrganizationalUnit', 'Folder Created', async () => {
      created = idOf(await api.sandbox('POST', '/organizational-units', { name: 'Bench', parentId: ou.id }));
    }),
  );
  results.push(
    await measure('UpdateOrganizationalUnit', 'Folder Updated', () =>
      api.sandbox('PATCH', `/organizational-units/${created}`, { name: 'Bench renamed' }),
    ),
  );
  let account = '';
  results.push(
    await measure('CreateAccountResult', 'Connection Created', async () => {
      account = idOf(
        await api.sandbox('POST', '/accounts', {
          name: 'Bench',
          email: 'bench@example.com',
          parentId: ou.id,
        }),
      );
    }),
  );
  results.push(
    await measure('MoveAccount', 'Connection Updated', () =>
      api.sandbox('POST', `/accounts/${account}/move`, { destinationParentId: created }),
    ),
  );
  results.push(
    await measure('CloseAccountResult', 'Connection Updated', () =>
      api.sandbox('POST', `/accounts/${account}/close`),
    ),
  );
  results.push(
    await measure('RemoveAccountFromOrganization', 'Connection Deleted', () =>
      api.sandbox('DELETE', `/accounts/${member.id}`),
    ),
  );
  // AWS deletes only an empty OU.
  await api.sandbox('POST', `/accounts/${account}/move`, { destinationParentId: ou.id });
  await settle();
  results.push(
    await measure('DeleteOrganizationalUnit', 'Folder Deleted', () =>
      api.sandbox('DELETE', `/organizational-units/${created}`),
    ),
  );
  return results;
}
