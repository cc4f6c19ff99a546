import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { SandboxApiError } from '../../lambdas/adapters/sandbox/sandbox-errors';
import type { SandboxCall, SandboxOrganization } from '../../lambdas/adapters/sandbox/sandbox-organization';
import { nodeKey } from '../../lambdas/domain/node-key';
import type { RunRef } from '../../lambdas/domain/sync-runs';
import { makePublisher } from '../../lambdas/publisher/service';
import { syncWorkflowDefinition, WORKFLOW_STATES } from '../../lambdas/sync/workflow';
import { asWorkflowError, runErrorOf } from '../../lambdas/sync/workflow-errors';
import { type DynamoDbLocal, localDynamoDbClient, startDynamoDbLocal } from '../../local/dynamodb-local';
import type { ChangeEvent } from '../../schemas/events';
import { type MirrorNode, type SyncTargets, syncTargets } from '../../schemas/sync';
import { mirrorShape, organizationShape } from '../fixtures/mirror';
import { createSyncWorld, type SyncWorld, userEdit, virtualClock } from '../fixtures/sync-world';

/**
 * Convergence under faults: random organization changes interleaved with syncs that
 * meet random faults. After the faults stop and one clean sync runs, for every seed:
 * - the mirror equals the organization;
 * - replaying the published change events in sequence order from empty rebuilds the mirror;
 * - no run that stopped before its walk was complete deleted anything.
 * `CONVERGENCE_RUNS` sets the number of seeds (200 by default); fast-check prints the seed and
 * the shrunk scenario of a failure, and `CONVERGENCE_SEED` replays one.
 */

const RUNS = Number(process.env.CONVERGENCE_RUNS ?? 200);
const SEED = process.env.CONVERGENCE_SEED === undefined ? undefined : Number(process.env.CONVERGENCE_SEED);

const TABLE = 'convergence';
let dynamo: DynamoDbLocal;
let client: DynamoDBClient;
let worlds = 0;

beforeAll(async () => {
  dynamo = await startDynamoDbLocal();
  client = localDynamoDbClient(dynamo.endpoint);
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
});

/** Indices pick among what exists when the change is made, so every sequence stays valid. */
type OrgChange =
  | { readonly kind: 'create-ou'; readonly parent: number }
  | { readonly kind: 'rename-ou'; readonly ou: number }
  | { readonly kind: 'delete-ou'; readonly ou: number }
  | { readonly kind: 'create-account'; readonly parent: number }
  | { readonly kind: 'move-account'; readonly account: number; readonly parent: number }
  | { readonly kind: 'close-account'; readonly account: number }
  | { readonly kind: 'remove-account'; readonly account: number };

type Fault =
  /** Every n-th Organizations call is throttled; the client's retries ride it out. */
  | { readonly kind: 'throttling'; readonly every: number }
  /** Every call from the n-th on is throttled: the run ends partial. */
  | { readonly kind: 'throttling-storm'; readonly from: number }
  | { readonly kind: 'server-errors'; readonly every: number }
  /** Listing this OU (and so its subtree) is denied. */
  | { readonly kind: 'denied-subtree'; readonly ou: number }
  | { readonly kind: 'credentials-expire'; readonly at: number }
  /** The function dies at the n-th store call of this kind, before or after it took effect. */
  | {
      readonly kind: 'crash';
      readonly at: number;
      readonly during: 'apply' | 'saveProgress' | 'finish';
      readonly after: boolean;
      /** A timeout, which the workflow retries, or a runtime exit, which fails the run. */
      readonly timeout: boolean;
    }
  /** A user renames a node just before the sync's n-th mirror write: a conditional-check conflict. */
  | { readonly kind: 'user-edit'; readonly at: number };

interface SyncAttempt {
  readonly changes: readonly OrgChange[];
  /** Targeted by what the changes' events name (duplicated and reordered), or a full walk. */
  readonly targeted: boolean;
  readonly duplicateEvents: boolean;
  /** A second request arrives while the run is under way. */
  readonly concurrent: boolean;
  /** A small step budget: many steps, each resumed from its checkpoint. */
  readonly shortSteps: boolean;
  readonly faults: readonly Fault[];
  /** Share of PutEvents entries the bus refuses while this attempt's events are published. */
  readonly busFailures: number;
}

const index = fc.nat({ max: 1000 });
const orgChange: fc.Arbitrary<OrgChange> = fc.oneof(
  fc.record({ kind: fc.constant('create-ou' as const), parent: index }),
  fc.record({ kind: fc.constant('rename-ou' as const), ou: index }),
  fc.record({ kind: fc.constant('delete-ou' as const), ou: index }),
  fc.record({ kind: fc.constant('create-account' as const), parent: index }),
  fc.record({ kind: fc.constant('move-account' as const), account: index, parent: index }),
  fc.record({ kind: fc.constant('close-account' as const), account: index }),
  fc.record({ kind: fc.constant('remove-account' as const), account: index }),
);
const fault: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({ kind: fc.constant('throttling' as const), every: fc.integer({ min: 2, max: 5 }) }),
  fc.record({ kind: fc.constant('throttling-storm' as const), from: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('server-errors' as const), every: fc.integer({ min: 2, max: 6 }) }),
  fc.record({ kind: fc.constant('denied-subtree' as const), ou: index }),
  fc.record({ kind: fc.constant('credentials-expire' as const), at: fc.integer({ min: 0, max: 15 }) }),
  fc.record({
    kind: fc.constant('crash' as const),
    at: fc.integer({ min: 1, max: 4 }),
    // Numbering events happens inside `apply` and `finish`, so a crash there covers it.
    during: fc.constantFrom('apply' as const, 'saveProgress' as const, 'finish' as const),
    after: fc.boolean(),
    timeout: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('user-edit' as const), at: fc.integer({ min: 1, max: 3 }) }),
);
const attempt: fc.Arbitrary<SyncAttempt> = fc.record({
  changes: fc.array(orgChange, { maxLength: 5 }),
  targeted: fc.boolean(),
  duplicateEvents: fc.boolean(),
  concurrent: fc.boolean(),
  shortSteps: fc.boolean(),
  faults: fc.array(fault, { maxLength: 3 }),
  busFailures: fc.constantFrom(0, 0, 0.1, 0.3),
});
const scenario = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  attempts: fc.array(attempt, { minLength: 1, maxLength: 3 }),
});

/** Makes one change, if what it names exists; returns what its Organizations event would name. */
function applyChange(sandbox: SandboxOrganization, change: OrgChange, serial: number): SyncTargets | null {
  const { organizationalUnits, accounts } = sandbox.snapshot();
  const members = accounts.filter((account) => account.id !== sandbox.managementAccountId);
  const containers = [sandbox.rootId, ...organizationalUnits.map((ou) => ou.id)];
  const pick = <T>(items: readonly T[], at: number): T | undefined => items[at % Math.max(items.length, 1)];
  const none = syncTargets();
  switch (change.kind) {
    case 'create-ou': {
      const parent = pick(containers, change.parent);
      if (!parent) return null;
      sandbox.createOrganizationalUnit(`OU ${serial}`, parent);
      return { ...none, containers: [parent] };
    }
    case 'rename-ou': {
      const ou = pick(organizationalUnits, change.ou);
      if (!ou) return null;
      sandbox.renameOrganizationalUnit(ou.id, `Renamed ${serial}`);
      return { ...none, ous: [ou.id] };
    }
    case 'delete-ou': {
      const ou = pick(organizationalUnits, change.ou);
      const { ous, accounts: inside } = ou ? sandbox.children(ou.id) : { ous: [1], accounts: [] };
      if (!ou || ous.length + inside.length > 0) return null;
      sandbox.deleteOrganizationalUnit(ou.id);
      return { ...none, ous: [ou.id] };
    }
    case 'create-account': {
      const parent = pick(containers, change.parent);
      if (!parent) return null;
      const account = sandbox.createAccount(`Account ${serial}`, `a${serial}@example.com`, parent);
      return { ...none, accounts: [account.id] };
    }
    case 'move-account': {
      const account = pick(members, change.account);
      const parent = pick(containers, change.parent);
      if (!account || !parent) return null;
      sandbox.moveAccount(account.id, parent);
      return { ...none, accounts: [account.id] };
    }
    case 'close-account': {
      const account = pick(members, change.account);
      if (account?.state !== 'ACTIVE') return null;
      sandbox.closeAccount(account.id);
      return { ...none, accounts: [account.id] };
    }
    case 'remove-account': {
      const account = pick(members, change.account);
      if (!account) return null;
      sandbox.removeAccount(account.id);
      return { ...none, accounts: [account.id] };
    }
  }
}

/** Names the function's death as Lambda reports it to Step Functions. */
class Crash extends Error {
  constructor(readonly timeout: boolean) {
    super('the function died here');
  }
}

/** What the state machine retries, read from its definition (the step's and finalize's lists agree). */
const RETRIED = new Set(
  syncWorkflowDefinition().States[WORKFLOW_STATES.step].Retry.flatMap((retry) => retry.ErrorEquals),
);

function workflowErrorOf(error: unknown): { Error: string; Cause: string } {
  if (error instanceof Crash) {
    return { Error: error.timeout ? 'Sandbox.Timedout' : 'Runtime.ExitError', Cause: error.message };
  }
  const named = asWorkflowError(error);
  return { Error: named.name, Cause: JSON.stringify({ errorMessage: named.message }) };
}

/**
 * Drives a run as the state machine does: steps until the walk is complete, then finalize; an
 * error it retries is retried (up to 5 times), any other ends the run through `fail`. Follows the
 * follow-up runs. Records the runs whose walk never completed.
 */
async function drive(world: SyncWorld, first: RunRef, budgetMs: number, unfinishedWalks: Set<string>) {
  const clock = world.clock;
  let ref: RunRef | null = first;
  while (ref) {
    const current: RunRef = ref;
    const attemptOf = async <T>(
      action: () => Promise<T>,
      retried = (error: unknown) => RETRIED.has(workflowErrorOf(error).Error),
    ): Promise<{ ok: T } | { error: unknown }> => {
      for (let tries = 0; ; tries += 1) {
        try {
          return { ok: await action() };
        } catch (error: unknown) {
          if (!retried(error) || tries >= 5) return { error };
        }
      }
    };
    let next: RunRef | null = null;
    let walked = false;
    while (!walked) {
      const step = await attemptOf(() => world.service.step(current, clock.now() + budgetMs));
      if ('error' in step) break;
      walked = step.ok.done;
    }
    const outcome = walked ? await attemptOf(() => world.service.finalize(current)) : null;
    if (outcome && 'ok' in outcome) next = outcome.ok.next;
    else {
      if (!walked) unfinishedWalks.add(current.runId);
      const error = outcome ? outcome.error : new Error('the walk stopped');
      // The failure state retries whatever goes wrong.
      const failed = await attemptOf(
        () => world.service.fail(current, runErrorOf(workflowErrorOf(error))),
        () => true,
      );
      if ('error' in failed) throw failed.error;
      next = failed.ok.next;
    }
    ref = next;
  }
}

/** Installs the attempt's faults; returns a function that removes them. */
function installFaults(world: SyncWorld, faults: readonly Fault[]): () => void {
  const { sandbox, store } = world;
  const organizationalUnits = sandbox.snapshot().organizationalUnits;
  let calls = 0;
  const hooks: ((call: SandboxCall, index: number) => void)[] = [];
  const throwing = (name: string) => {
    throw new SandboxApiError(name, `${name} (injected)`);
  };
  const originals = {
    apply: store.apply,
    saveProgress: store.saveProgress,
    finish: store.finish,
  };
  let edits = 0;
  for (const f of faults) {
    switch (f.kind) {
      case 'throttling':
        hooks.push((_, i) => i % f.every === f.every - 1 && throwing('TooManyRequestsException'));
        break;
      case 'throttling-storm':
        hooks.push((_, i) => i >= f.from && throwing('TooManyRequestsException'));
        break;
      case 'server-errors':
        hooks.push((_, i) => i % f.every === f.every - 1 && throwing('ServiceException'));
        break;
      case 'denied-subtree': {
        const ou = organizationalUnits[f.ou % Math.max(organizationalUnits.length, 1)];
        if (ou) hooks.push((call) => call.parentId === ou.id && throwing('AccessDeniedException'));
        break;
      }
      case 'credentials-expire': {
        let expired = false;
        hooks.push((_, i) => {
          if (i >= f.at && !expired) {
            expired = true;
            throwing('ExpiredTokenException');
          }
        });
        break;
      }
      case 'crash': {
        const original = originals[f.during] as (...args: unknown[]) => Promise<unknown>;
        let count = 0;
        const wrapped = async (...args: unknown[]) => {
          count += 1;
          if (count === f.at && !f.after) throw new Crash(f.timeout);
          const result = await original.apply(store, args);
          if (count === f.at && f.after) throw new Crash(f.timeout);
          return result;
        };
        Object.assign(store, { [f.during]: wrapped });
        break;
      }
      case 'user-edit': {
        const apply = store.apply;
        let count = 0;
        store.apply = async (...args) => {
          count += 1;
          if (count === f.at) await userEdit(world, `edited_${++edits}_${f.at}`);
          return apply.apply(store, args);
        };
        break;
      }
    }
  }
  sandbox.onCall = (call) => {
    const i = calls++;
    for (const hook of hooks) hook(call, i);
  };
  return () => {
    sandbox.onCall = undefined;
    Object.assign(store, originals);
  };
}

/**
 * Publishes the outbox events not yet published, as the stream and the publisher would: batches
 * of up to 100 in sequence order, a bus that refuses a share of the entries, the publisher's own
 * retries, and the stream's redelivery of a batch the publisher gave up on. Consumers keep the
 * first delivery of each event id.
 */
async function publishNew(
  world: SyncWorld,
  published: Map<string, ChangeEvent>,
  failureShare: number,
  random: () => number,
): Promise<void> {
  const pending = (await world.outbox()).filter(
    (event) => !published.has(String(event.detail.eventId)),
  ) as unknown as ChangeEvent[];
  const bus = {
    async put(entries: readonly { detailType: string; detail: string }[]) {
      const failed: number[] = [];
      entries.forEach((entry, i) => {
        if (random() < failureShare) failed.push(i);
        else {
          const detail = JSON.parse(entry.detail) as ChangeEvent['detail'];
          if (!published.has(detail.eventId))
            published.set(detail.eventId, { detailType: entry.detailType, detail } as ChangeEvent);
        }
      });
      return failed;
    },
  };
  const publish = makePublisher({ bus, source: 'convergence', clock: world.clock, random });
  for (let start = 0; start < pending.length; start += 100) {
    const batch = pending.slice(start, start + 100);
    for (let delivery = 0; ; delivery += 1) {
      try {
        await publish(batch);
        break;
      } catch (error: unknown) {
        // The stream redelivers until the records expire (a day): far more than this.
        if (delivery > 200) throw error;
      }
    }
  }
}

/** Replays Created, Updated and Deleted events in sequence order, from an empty mirror. */
function replay(events: Iterable<ChangeEvent>): MirrorNode[] {
  const nodes = new Map<string, MirrorNode>();
  const ordered = [...events].sort((a, b) => a.detail.sequence - b.detail.sequence);
  for (const { detailType, detail } of ordered) {
    const node =
      (detail as { folder?: MirrorNode; connection?: MirrorNode }).folder ??
      (detail as { connection?: MirrorNode }).connection;
    if (!node) continue;
    if (detailType.endsWith('Deleted')) nodes.delete(nodeKey(node));
    else nodes.set(nodeKey(node), node);
  }
  return [...nodes.values()];
}

const byKey = (nodes: readonly MirrorNode[]) =>
  [...nodes].sort((a, b) => nodeKey(a).localeCompare(nodeKey(b)));

/** A pseudo-random stream from the scenario's seed (mulberry32), for what it does not spell out. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

jest.setTimeout(60 * 60 * 1000);

describe('convergence under faults', () => {
  it(`converges for ${RUNS} seeds: mirror = organization = replayed events, and no unfinished walk deletes`, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ seed, attempts }) => {
        const world = await createSyncWorld({
          client,
          tableName: TABLE,
          // Worlds share the table, each a tenant of its own: a table per seed slows DynamoDB Local.
          tenantId: `seed_${++worlds}`,
          shape: { accounts: 16, ous: 5, depth: 3, seed },
          clock: virtualClock(),
        });
        await converge(world, attempts, seed);
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: true },
    );
  });
});

/** One scenario: the rounds of changes and faulty syncs, then the clean sync and the invariants. */
async function converge(world: SyncWorld, attempts: readonly SyncAttempt[], seed: number): Promise<void> {
  const random = seeded(seed);
  const published = new Map<string, ChangeEvent>();
  const unfinishedWalks = new Set<string>();
  await drive(world, await world.begin(), 3_600_000, unfinishedWalks);
  let serial = 0;

  for (const step of attempts) {
    const named: SyncTargets[] = [];
    for (const change of step.changes) {
      const targets = applyChange(world.sandbox, change, ++serial);
      if (targets) named.push(targets);
    }
    const events = step.duplicateEvents ? [...named, ...named].reverse() : named;
    const targets: SyncTargets | undefined =
      step.targeted && events.length > 0
        ? syncTargets({
            containers: [...new Set(events.flatMap((t) => t.containers))],
            accounts: [...new Set(events.flatMap((t) => t.accounts))],
            ous: [...new Set(events.flatMap((t) => t.ous))],
          })
        : undefined;
    const removeFaults = installFaults(world, step.faults);
    try {
      const request = () => world.begin({ targets });
      const first = await request();
      if (step.concurrent) await request();
      await drive(world, first, step.shortSteps ? 1 : 3_600_000, unfinishedWalks);
    } finally {
      removeFaults();
    }
    await publishNew(world, published, step.busFailures, random);
  }

  // The faults stop; one clean sync, and everything published. It confirms deletions, as a
  // user would after the deletion guard held a run that would remove most connections.
  await drive(world, await world.begin({ confirmDeletions: true }), 3_600_000, unfinishedWalks);
  await publishNew(world, published, 0, random);

  const mirror = await world.store.load(world.tenantId, world.integration.id);
  expect(mirrorShape(mirror)).toEqual(organizationShape(world.sandbox));
  expect(byKey(replay(published.values()))).toEqual(byKey(mirror));
  const deletedBy = [...published.values()]
    .filter((event) => event.detailType.endsWith('Deleted'))
    .map((event) => String(event.detail.syncRunId));
  expect(deletedBy.filter((runId) => unfinishedWalks.has(runId))).toEqual([]);
}
