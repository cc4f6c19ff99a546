import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbHealth } from '../../lambdas/adapters/aws/dynamodb-health';
import { SandboxApiError } from '../../lambdas/adapters/sandbox/sandbox-errors';
import type { SandboxCall, SandboxOrganization } from '../../lambdas/adapters/sandbox/sandbox-organization';
import { createDocumentClient } from '../../lambdas/core/dynamodb';
import type { RunRef } from '../../lambdas/domain/sync-runs';
import { DEFAULT_SYNC_SETTINGS } from '../../lambdas/sync/service';
import { type DynamoDbLocal, localDynamoDbClient, startDynamoDbLocal } from '../../local/dynamodb-local';
import { type SyncRun, type SyncTargets, syncTargets } from '../../schemas/sync';
import { ITEM_KEYS } from '../../schemas/table';
import type { OrgShape } from '../fixtures/generated-org';
import { mirrorShape, organizationShape } from '../fixtures/mirror';
import {
  createSyncWorld,
  minimumCalls,
  type SyncStore,
  type SyncWorld,
  TENANT,
  userEdit,
  virtualClock,
} from '../fixtures/sync-world';

let dynamo: DynamoDbLocal;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynamoDbLocal();
}, 60_000);

afterAll(async () => {
  await dynamo?.stop();
});

type Setup = SyncWorld;

function setup(
  shape: OrgShape,
  settings: Partial<typeof DEFAULT_SYNC_SETTINGS> = {},
  clock = virtualClock(),
  { rateLimited = false } = {},
): Promise<Setup> {
  return createSyncWorld({
    client: localDynamoDbClient(dynamo.endpoint),
    tableName: `engine-${++tables}`,
    shape,
    settings,
    clock,
    sandbox: rateLimited ? { rateLimitClock: clock } : {},
  });
}

function throwOn(
  sandbox: SandboxOrganization,
  name: string,
  when: (call: SandboxCall, index: number) => boolean,
) {
  let index = 0;
  sandbox.onCall = (call) => {
    if (when(call, index++)) throw new SandboxApiError(name, `${name} (injected)`);
  };
}

/** The integration's newest run. */
async function lastRun(world: Setup): Promise<SyncRun> {
  const [run] = (await world.store.listRuns(TENANT, world.integration.id, { limit: 1 })).items;
  if (!run) throw new Error('no run yet');
  return run;
}

jest.setTimeout(120_000);

describe('the sync engine against DynamoDB Local and a generated sandbox organization', () => {
  it('walks by parent with the fewest Organizations calls, and mirrors every OU and account', async () => {
    const shape = { accounts: 1_000, ous: 100, depth: 5 };
    const world = await setup(shape);

    await world.run();

    const containers = shape.ous + 1;
    const formula = 2 + 2 * containers + Math.ceil((shape.accounts + shape.ous) / 20) + containers;
    expect(world.sandbox.calls).toHaveLength(minimumCalls(world.sandbox));
    expect(world.sandbox.calls.length).toBeLessThanOrEqual(formula);
    expect(world.sandbox.calls.slice(0, 2).map((call) => call.api)).toEqual([
      'DescribeOrganization',
      'ListRoots',
    ]);
    expect(mirrorShape(await world.store.load(TENANT, world.integration.id))).toEqual(
      organizationShape(world.sandbox),
    );
  });

  it('asks for the next page of a container while the last one is written, and still mirrors in order', async () => {
    const world = await setup({ accounts: 100, ous: 0, depth: 1 }, { concurrency: 1 });
    // A write is one transaction, which also gives out its events' sequence numbers.
    let writing = 0;
    let listedWhileWriting = 0;
    const whileWriting =
      <A extends unknown[], R>(write: (...args: A) => Promise<R>) =>
      async (...args: A) => {
        writing += 1;
        try {
          return await write(...args);
        } finally {
          writing -= 1;
        }
      };
    world.store.apply = whileWriting(world.store.apply.bind(world.store));
    world.sandbox.onCall = (call) => {
      if (call.api === 'ListAccountsForParent' && writing > 0) listedWhileWriting += 1;
    };

    await world.run();

    expect(listedWhileWriting).toBeGreaterThan(0);
    expect(world.sandbox.calls).toHaveLength(minimumCalls(world.sandbox));
    expect(mirrorShape(await world.store.load(TENANT, world.integration.id))).toEqual(
      organizationShape(world.sandbox),
    );
  });

  it('resumes from small checkpoints across many steps and reaches the same mirror as one long step', async () => {
    const shape = { accounts: 300, ous: 40, depth: 4 };
    const once = await setup(shape);
    const many = await setup(shape, {}, virtualClock(1));

    await once.run();
    const { steps } = await many.run({ budgetMs: 1 });

    expect(steps).toBeGreaterThan(10);
    // Timestamps differ, and inherited settings name each run's own integration as their source.
    const strip = (nodes: Awaited<ReturnType<SyncStore['load']>>, integrationId: string) =>
      nodes
        .map(({ updatedAt: _, ...node }) =>
          JSON.parse(JSON.stringify(node).replaceAll(integrationId, 'INTEGRATION')),
        )
        .sort((a, b) => a.id.localeCompare(b.id));
    expect(strip(await many.store.load(TENANT, many.integration.id), many.integration.id)).toEqual(
      strip(await once.store.load(TENANT, once.integration.id), once.integration.id),
    );
    expect(many.sandbox.calls.length).toBe(once.sandbox.calls.length);
  });

  it('stays within the published limits of a throttling sandbox, and converges when pushed past them', async () => {
    const shape = { accounts: 400, ous: 40, depth: 4 };
    const clock = virtualClock();
    const polite = await setup(shape, { rateFraction: 1 }, clock, { rateLimited: true });
    const greedy = await setup(shape, { rateFraction: 4 }, clock, { rateLimited: true });

    await polite.run();
    await greedy.run();

    // Not one call refused: a throttled call would have been repeated.
    expect(polite.sandbox.calls).toHaveLength(minimumCalls(polite.sandbox));
    // Four times the limit: many calls refused and retried, and the same mirror in the end.
    expect(greedy.sandbox.calls.length).toBeGreaterThan(minimumCalls(greedy.sandbox) + 10);
    // The run counts each refusal: every call beyond the fewest was a throttled one repeated.
    expect((await lastRun(polite)).progress.organizationsThrottles).toBe(0);
    expect((await lastRun(greedy)).progress.organizationsThrottles).toBe(
      greedy.sandbox.calls.length - minimumCalls(greedy.sandbox),
    );
    for (const world of [polite, greedy]) {
      expect(mirrorShape(await world.store.load(TENANT, world.integration.id))).toEqual(
        organizationShape(world.sandbox),
      );
    }
  });

  it('writes nothing and publishes no change when nothing changed', async () => {
    const world = await setup({ accounts: 120, ous: 12, depth: 3 });
    await world.run();
    const before = await world.outbox();
    const mirror = await world.store.load(TENANT, world.integration.id);

    await world.run();

    expect(await world.store.load(TENANT, world.integration.id)).toEqual(mirror);
    expect((await world.outbox()).slice(before.length).map((event) => event.detailType)).toEqual([
      'Sync Completed',
    ]);
  });

  it('asks for no member check after a no-op re-sync, though the last complete check began the moment the run before it ended', async () => {
    const world = await setup({ accounts: 20, ous: 3, depth: 2 });
    const health = new DynamoDbHealth(
      createDocumentClient(localDynamoDbClient(dynamo.endpoint)),
      `engine-${tables}`,
    );
    expect((await world.run()).check).toEqual({ scope: 'all', accounts: [] });
    const { finishedAt } = await lastRun(world);
    // On a virtual clock the check that run set off starts at the very moment it ended.
    await health.summarise(TENANT, world.integration.id, {
      checkedAt: finishedAt as string,
      ok: 21,
      denied: 0,
      notDeployed: 0,
      pendingDeployment: 0,
      error: 0,
      stackSetReadable: null,
      permissions: { ok: 21, missing: 0, unknown: 0 },
      templateVersions: { '5': 21 },
    });

    expect((await world.run()).check).toBeNull();
  });

  it("refuses a run its input names but the tenant's partition does not hold: the workflow trusts no input", async () => {
    const world = await setup({ accounts: 20, ous: 3, depth: 2 });
    await world.run();
    const before = await world.outbox();
    const mirror = await world.store.load(TENANT, world.integration.id);
    const forged: RunRef[] = [
      {
        tenantId: TENANT,
        integrationId: world.integration.id,
        runId: '20261207T000000000Z-0badc0de',
        correlationId: 'x',
      },
      {
        tenantId: 'another-tenant',
        integrationId: world.integration.id,
        runId: (await lastRun(world)).id,
        correlationId: 'x',
      },
    ];

    for (const ref of forged) {
      await expect(world.service.step(ref, Date.now() + 60_000)).rejects.toMatchObject({
        name: 'LeaseLostError',
      });
      await expect(world.service.finalize(ref)).rejects.toMatchObject({ name: 'LeaseLostError' });
    }

    expect(await world.store.load(TENANT, world.integration.id)).toEqual(mirror);
    expect(await world.outbox()).toEqual(before);
  });

  it('rides out a throttling storm and an expired session, and still mirrors exactly', async () => {
    const world = await setup({ accounts: 200, ous: 20, depth: 3 });
    throwOn(world.sandbox, 'TooManyRequestsException', (_, index) => index % 3 === 1 && index < 60);
    const expiredAt = 40;
    let expiries = 0;
    const throttle = world.sandbox.onCall;
    world.sandbox.onCall = (call) => {
      if (world.sandbox.calls.length === expiredAt && expiries++ === 0) {
        throw new SandboxApiError('ExpiredTokenException', 'expired (injected)');
      }
      throttle?.(call);
    };

    await world.run();

    expect(mirrorShape(await world.store.load(TENANT, world.integration.id))).toEqual(
      organizationShape(world.sandbox),
    );
    expect(expiries).toBe(1);
    expect(world.assumed.count).toBe(2);
    // Calls 1, 4, …, 58 were throttled: 20 of them.
    expect((await lastRun(world)).progress.organizationsThrottles).toBe(20);
    expect(world.sandbox.calls.length).toBeGreaterThan(minimumCalls(world.sandbox));
  });

  it('marks a run cut short by throttling partial, and deletes nothing', async () => {
    const world = await setup({ accounts: 80, ous: 8, depth: 2 });
    await world.run();
    const gone = world.sandbox.snapshot().accounts.slice(1, 4);
    for (const account of gone) world.sandbox.removeAccount(account.id);
    throwOn(world.sandbox, 'TooManyRequestsException', (_, index) => index >= 6);

    const ref = await world.begin();
    await expect(world.service.step(ref, Date.now() + 3_600_000)).rejects.toMatchObject({
      code: 'UPSTREAM_THROTTLED',
    });
    await world.service.fail(ref, { code: 'UPSTREAM_THROTTLED', message: 'throttled', hint: null });

    const mirror = await world.store.load(TENANT, world.integration.id);
    expect(gone.every((account) => mirror.some((node) => node.id === account.id))).toBe(true);
    const stored = await world.store.run(ref);
    expect(stored?.run).toMatchObject({ status: 'partial', error: { code: 'UPSTREAM_THROTTLED' } });
    expect((await world.store.target(TENANT, world.integration.id))?.status).toBe('error');
    expect((await world.outbox()).at(-2)?.detailType).toBe('Sync Failed');
  });

  it('fails a full walk that reaches another organization than the registered one, and deletes nothing', async () => {
    const world = await setup({ accounts: 30, ous: 3, depth: 1 });
    await world.run();
    const before = await world.store.load(TENANT, world.integration.id);
    // As if the registered organization were another: the role now reaches this one instead.
    await createDocumentClient(localDynamoDbClient(dynamo.endpoint)).send(
      new UpdateCommand({
        TableName: `engine-${tables}`,
        Key: { pk: ITEM_KEYS.tenant(TENANT), sk: ITEM_KEYS.integration(world.integration.id) },
        UpdateExpression: 'SET organizationId = :other',
        ExpressionAttributeValues: { ':other': 'o-elsewhere01' },
      }),
    );

    const ref = await world.begin();
    const failure = await world.service.step(ref, Date.now() + 3_600_000).catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: 'ACCOUNT_MISMATCH' });
    expect((failure as Error).message).toContain(world.sandbox.id);
    expect(await world.store.load(TENANT, world.integration.id)).toEqual(before);
  });

  it('keeps a subtree it may not list, with a hint, and removes it only when the denial persists', async () => {
    const world = await setup({ accounts: 100, ous: 10, depth: 1 });
    await world.run();
    const denied = world.sandbox
      .snapshot()
      .organizationalUnits.find((ou) => world.sandbox.children(ou.id).accounts.length > 0);
    if (!denied) throw new Error('no OU with accounts');
    const inside = world.sandbox.children(denied.id).accounts.map((account) => account.id);
    throwOn(world.sandbox, 'AccessDeniedException', (call) => call.parentId === denied.id);

    await world.run();
    const afterFirst = await world.store.load(TENANT, world.integration.id);
    await world.run();
    const afterSecond = await world.store.load(TENANT, world.integration.id);

    expect(afterFirst.find((node) => node.id === denied.id)).toMatchObject({
      access: 'denied',
      accessHint: expect.stringContaining('organizations:List'),
    });
    expect(inside.every((id) => afterFirst.some((node) => node.id === id))).toBe(true);
    expect(inside.some((id) => afterSecond.some((node) => node.id === id))).toBe(false);
    expect(afterSecond.find((node) => node.id === denied.id)).toMatchObject({ access: 'denied' });
  });

  it('holds a run that would delete most connections until a sync confirms the deletions', async () => {
    const world = await setup({ accounts: 40, ous: 4, depth: 2 });
    await world.run();
    const members = world.sandbox
      .snapshot()
      .accounts.filter((account) => account.id !== world.sandbox.managementAccountId);
    for (const account of members.slice(0, 30)) world.sandbox.removeAccount(account.id);

    const held = await world.run();
    const heldMirror = await world.store.load(TENANT, world.integration.id);
    await world.run({ confirmDeletions: true });

    expect((await world.store.run(held.ref))?.run).toMatchObject({
      status: 'needs_review',
      counts: { heldDeletions: 30 },
    });
    expect(heldMirror.filter((node) => node.type === 'connection')).toHaveLength(40);
    expect(mirrorShape(await world.store.load(TENANT, world.integration.id))).toEqual(
      organizationShape(world.sandbox),
    );
  });

  it('loses no event when the step dies between its write and the end of the step', async () => {
    const world = await setup({ accounts: 60, ous: 6, depth: 2 });
    const apply = world.store.apply.bind(world.store);
    let writes = 0;
    world.store.apply = async (...args) => {
      const last = await apply(...args);
      if (++writes === 2) throw new Error('the function died here');
      return last;
    };
    const ref = await world.begin();

    await expect(world.service.step(ref, Date.now() + 3_600_000)).rejects.toThrow('the function died here');
    // The workflow retries the step, which reads the mirror afresh.
    while (!(await world.service.step(ref, Date.now() + 3_600_000)).done);
    await world.service.finalize(ref);

    const mirror = await world.store.load(TENANT, world.integration.id);
    const created = (await world.outbox()).filter((event) => event.detailType.endsWith('Created'));
    const announced = created.flatMap((event) => {
      const node = (event.detail.folder ?? event.detail.connection) as { id: string } | undefined;
      return node ? [node.id] : [];
    });
    expect(announced.sort()).toEqual(mirror.map((node) => node.id).sort());
    const sequences = (await world.outbox()).map((event) => Number(event.detail.sequence));
    expect(new Set(sequences).size).toBe(sequences.length);
  });

  it('numbers its events again when another writer takes sequence numbers between its writes', async () => {
    const world = await setup({ accounts: 60, ous: 6, depth: 2 });
    const apply = world.store.apply.bind(world.store);
    const taken: number[] = [];
    let writes = 0;
    world.store.apply = async (ref, changes, numbering) => {
      // As a user's PATCH does between two of the run's writes: it numbers its own event.
      writes += 1;
      const given = writes % 2 === 0 ? await userEdit(world, `edited_${writes}`) : null;
      if (given !== null) taken.push(given);
      return apply(ref, changes, numbering);
    };

    await world.run();

    expect(taken.length).toBeGreaterThan(2);
    const sequences = (await world.outbox()).map((event) => Number(event.detail.sequence));
    // Every number given out is used exactly once: by the run's events, or by the other writer's.
    expect(sequences).toEqual(Array.from({ length: sequences.length }, (_, index) => index + 1));
    expect(sequences).toEqual(expect.arrayContaining(taken));
    expect(mirrorShape(await world.store.load(TENANT, world.integration.id))).toEqual(
      organizationShape(world.sandbox),
    );
  });

  it('runs one sync at a time: a second request is folded into one follow-up run, which carries the last request', async () => {
    const world = await setup({ accounts: 20, ous: 2, depth: 1 });
    const request = (correlationId: string) =>
      world.service.requestSync({
        tenantId: TENANT,
        integrationId: world.integration.id,
        trigger: 'manual',
        confirmDeletions: false,
        correlationId,
      });

    const [first, second] = await Promise.all([request('request-1'), request('request-2')]);
    const third = await request('request-3');

    const started = first.coalesced ? { ...second, by: 'request-2' } : { ...first, by: 'request-1' };
    expect([first.coalesced, second.coalesced].sort()).toEqual([false, true]);
    expect(third).toEqual({ runId: started.runId, coalesced: true });
    expect(world.started).toEqual([
      {
        tenantId: TENANT,
        integrationId: world.integration.id,
        runId: started.runId,
        correlationId: started.by,
      },
    ]);
    const ref = world.started[0] as RunRef;
    while (!(await world.service.step(ref, Date.now() + 3_600_000)).done);
    const { next } = await world.service.finalize(ref);
    expect(next).toEqual({ ...ref, runId: expect.any(String), correlationId: 'request-3' });
    expect((await world.store.target(TENANT, world.integration.id))?.activeRunId).toBe(next?.runId);
  });

  it('starts a follow-up recorded before follow-ups kept their request, under its own id', async () => {
    const world = await setup({ accounts: 20, ous: 2, depth: 1 });
    const ref = await world.begin();
    // As an earlier version wrote it, while this run held the lease.
    await createDocumentClient(localDynamoDbClient(dynamo.endpoint)).send(
      new UpdateCommand({
        TableName: `engine-${tables}`,
        Key: { pk: ITEM_KEYS.tenant(TENANT), sk: ITEM_KEYS.integration(world.integration.id) },
        UpdateExpression: 'SET followUp = :followUp',
        ExpressionAttributeValues: {
          ':followUp': JSON.stringify({ trigger: 'manual', confirmDeletions: false, targets: null }),
        },
      }),
    );

    while (!(await world.service.step(ref, Date.now() + 3_600_000)).done);
    const { next } = await world.service.finalize(ref);

    expect(next).toEqual({ ...ref, runId: expect.any(String), correlationId: next?.runId });
    expect((await world.store.target(TENANT, world.integration.id))?.activeRunId).toBe(next?.runId);
  });

  it('lists runs newest first, even when they start within the same second', async () => {
    const world = await setup({ accounts: 3, ous: 1, depth: 1 }, {}, virtualClock(1));
    const refs: RunRef[] = [];
    for (let run = 0; run < 5; run += 1) refs.push((await world.run()).ref);

    const { items } = await world.store.listRuns(TENANT, world.integration.id, { limit: 10 });

    expect(new Set(items.map((run) => run.startedAt.slice(0, 19))).size).toBe(1);
    expect(items.map((run) => run.id)).toEqual(refs.map((ref) => ref.runId).reverse());
  });
});

describe('targeted runs, from what Organizations events name', () => {
  const shape = { accounts: 200, ous: 20, depth: 3 };
  const none = syncTargets();

  /** A mirrored organization, and the calls a targeted run makes after a change. */
  async function mirrored() {
    const world = await setup(shape);
    await world.run();
    const { organizationalUnits, accounts } = world.sandbox.snapshot();
    return {
      world,
      organizationalUnits,
      accounts,
      async runTargeted(targets: Partial<SyncTargets>) {
        const before = world.sandbox.calls.length;
        const outboxBefore = (await world.outbox()).length;
        await world.run({ targets: { ...none, ...targets } });
        return {
          apis: world.sandbox.calls.slice(before).map((call) => call.api),
          events: (await world.outbox()).slice(outboxBefore).map((event) => event.detailType),
        };
      },
      async expectMirrored() {
        expect(mirrorShape(await world.store.load(TENANT, world.integration.id))).toEqual(
          organizationShape(world.sandbox),
        );
      },
    };
  }

  it('re-lists only the two parents of a move, in a handful of calls', async () => {
    const { world, organizationalUnits, accounts, runTargeted, expectMirrored } = await mirrored();
    const account = accounts.find((candidate) => candidate.parentId !== world.sandbox.rootId);
    const destination = organizationalUnits.find((ou) => ou.id !== account?.parentId);
    if (!account || !destination) throw new Error('the generated organization is too small');
    world.sandbox.moveAccount(account.id, destination.id);

    const { apis, events } = await runTargeted({ containers: [account.parentId, destination.id] });

    await expectMirrored();
    expect(events).toEqual(['Connection Updated', 'Sync Completed']);
    // The mirror names the root, so neither ListRoots nor DescribeOrganization is needed.
    expect(apis).not.toContain('ListRoots');
    expect(apis).not.toContain('DescribeOrganization');
    expect(apis.length).toBeLessThanOrEqual(2 * 2 + 2);
  });

  it('finds a moved account where it is now in two calls, whatever the size of its parents', async () => {
    const { world, organizationalUnits, accounts, runTargeted, expectMirrored } = await mirrored();
    const account = accounts.find((candidate) => candidate.parentId !== world.sandbox.rootId);
    const destination = organizationalUnits.find((ou) => ou.id !== account?.parentId);
    if (!account || !destination) throw new Error('the generated organization is too small');
    world.sandbox.moveAccount(account.id, destination.id);

    const { apis, events } = await runTargeted({ accounts: [account.id] });

    await expectMirrored();
    expect(events).toEqual(['Connection Updated', 'Sync Completed']);
    expect(apis).toEqual(['ListParents', 'DescribeAccount']);
  });

  it('finds a new account with ListParents and DescribeAccount, and a removed one with ListParents', async () => {
    const { world, organizationalUnits, accounts, runTargeted, expectMirrored } = await mirrored();
    const ou = organizationalUnits[0];
    const leaving = accounts.find((candidate) => candidate.id !== world.sandbox.managementAccountId);
    if (!ou || !leaving) throw new Error('the generated organization is too small');

    const created = world.sandbox.createAccount('fresh', 'fresh@example.com', ou.id);
    const joined = await runTargeted({ accounts: [created.id] });
    world.sandbox.removeAccount(leaving.id);
    const left = await runTargeted({ accounts: [leaving.id] });

    await expectMirrored();
    expect(joined.apis).toEqual(['ListParents', 'DescribeAccount']);
    expect(joined.events).toEqual(['Connection Created', 'Sync Completed']);
    expect(left.apis).toEqual(['ListParents']);
    expect(left.events).toEqual(['Connection Deleted', 'Sync Completed']);
  });

  it('looks up an account missing from its listed parent instead of deleting it: it moved', async () => {
    const { world, organizationalUnits, accounts, runTargeted, expectMirrored } = await mirrored();
    const account = accounts.find((candidate) => candidate.parentId !== world.sandbox.rootId);
    const destination = organizationalUnits.find((ou) => ou.id !== account?.parentId);
    if (!account || !destination) throw new Error('the generated organization is too small');
    world.sandbox.moveAccount(account.id, destination.id);

    // Only the source was named, as when the destination's event was lost.
    const { apis, events } = await runTargeted({ containers: [account.parentId] });

    await expectMirrored();
    expect(events).toEqual(['Connection Updated', 'Sync Completed']);
    expect(apis.slice(-2)).toEqual(['ListParents', 'DescribeAccount']);
  });

  it('renames an OU by listing its parent, and lists a new OU and what it holds', async () => {
    const { world, organizationalUnits, runTargeted, expectMirrored } = await mirrored();
    const [renamed, parent] = organizationalUnits;
    if (!renamed || !parent) throw new Error('the generated organization is too small');
    world.sandbox.renameOrganizationalUnit(renamed.id, 'Renamed');
    const fresh = world.sandbox.createOrganizationalUnit('Fresh', parent.id);
    world.sandbox.createAccount('inside', 'inside@example.com', fresh.id);

    const { events } = await runTargeted({ ous: [renamed.id], containers: [parent.id] });

    await expectMirrored();
    expect(events.sort()).toEqual([
      'Connection Created',
      'Folder Created',
      'Folder Updated',
      'Sync Completed',
    ]);
  });

  it('folds a burst of targeted requests into one follow-up run with every target', async () => {
    const { world, accounts } = await mirrored();
    const running = await world.begin();
    const named = accounts.slice(0, 50).map((account) => account.id);

    const answers = await Promise.all(
      named.map((id) =>
        world.service.requestSync({
          tenantId: TENANT,
          integrationId: world.integration.id,
          trigger: 'event',
          confirmDeletions: false,
          targets: { ...none, accounts: [id] },
          correlationId: `event-${id}`,
        }),
      ),
    );

    expect(answers.every((answer) => answer.coalesced && answer.runId === running.runId)).toBe(true);
    const target = await world.store.target(TENANT, world.integration.id);
    expect(target?.followUp?.targets?.accounts.sort()).toEqual([...named].sort());
  });
});

describe('deleting an integration', () => {
  const shape = { accounts: 120, ous: 12, depth: 3 };

  async function drive(world: Setup, ref: RunRef, clock: { now(): number }, budgetMs: number) {
    for (let done = false, steps = 0; !done; steps += 1) {
      done = (await world.service.step(ref, clock.now() + budgetMs)).done;
      if (steps > 1000) throw new Error('the deletion does not end');
    }
    await world.service.finalize(ref);
  }

  it('removes every node with one Deleted event each, then the integration and its claims; deleting again finishes a deletion that died', async () => {
    const clock = virtualClock(1);
    const world = await setup(shape, {}, clock);
    await world.run();
    const nodes = await world.store.load(TENANT, world.integration.id);
    const before = (await world.outbox()).length;
    const target = { tenantId: TENANT, integrationId: world.integration.id, correlationId: 'delete-1' };

    const first = await world.service.requestDeletion(target);
    // Off the schedule and the routing index at once, and no sync may start.
    const [item] = await world.items(ITEM_KEYS.integration(world.integration.id));
    expect(item).toMatchObject({ status: 'deleting', activeRunId: first.runId });
    expect(Object.keys(item ?? {})).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^(duePk|dueSk|routingPk|routingSk)$/)]),
    );
    await expect(
      world.service.requestSync({ ...target, trigger: 'manual', confirmDeletions: false }),
    ).rejects.toMatchObject({ code: 'SYNC_IN_PROGRESS', message: 'The integration is being deleted.' });
    expect(await world.service.requestDeletion(target)).toEqual({ runId: first.runId, coalesced: true });

    // One short step, then the run dies; once its lease is over, DELETE again takes over.
    const firstRef = { ...target, runId: first.runId };
    expect((await world.service.step(firstRef, clock.now() + 8)).done).toBe(false);
    const left = (await world.store.load(TENANT, world.integration.id)).length;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(nodes.length);
    await clock.sleep(DEFAULT_SYNC_SETTINGS.leaseMs + 1);
    const second = await world.service.requestDeletion(target);
    expect(second.coalesced).toBe(false);
    await expect(world.service.step(firstRef, clock.now() + 40)).rejects.toMatchObject({
      code: 'SYNC_IN_PROGRESS',
    });
    await drive(world, { ...target, runId: second.runId }, clock, 40);

    expect(await world.store.target(TENANT, world.integration.id)).toBeUndefined();
    expect(await world.items(`MIRROR#${world.integration.id}#`)).toEqual([]);
    for (const prefix of ['INTEGRATION_HANDLE#', 'INTEGRATION_ROLE#', 'NODE_HANDLE#']) {
      expect(await world.items(prefix)).toEqual([]);
    }
    const events = (await world.outbox()).slice(before);
    const deleted = events.filter((event) => event.detailType.endsWith(' Deleted'));
    const ids = deleted
      .filter((event) => event.detailType !== 'Integration Deleted')
      .map((event) => {
        const detail = event.detail as { folder?: { id: string }; connection?: { id: string } };
        return detail.folder?.id ?? detail.connection?.id;
      });
    expect(ids.sort()).toEqual(nodes.map((node) => node.id).sort());
    expect(events.at(-1)?.detailType).toBe('Integration Deleted');
    const sequences = events.map((event) => Number(event.detail.sequence));
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    const [lastRun] = (await world.store.listRuns(TENANT, world.integration.id, { limit: 1 })).items;
    expect(lastRun).toMatchObject({ id: second.runId, trigger: 'delete', status: 'succeeded' });
    expect(lastRun?.counts.deleted).toBe(left);
  });

  it('fences out the sync that was running: its next write fails and changes nothing', async () => {
    const clock = virtualClock(1);
    const world = await setup(shape, {}, clock);
    const sync = await world.begin();
    expect((await world.service.step(sync, clock.now() + 20)).done).toBe(false);
    const written = (await world.store.load(TENANT, world.integration.id)).length;

    await world.service.requestDeletion({
      tenantId: TENANT,
      integrationId: world.integration.id,
      correlationId: 'delete-1',
    });

    await expect(world.service.step(sync, clock.now() + 3_600_000)).rejects.toMatchObject({
      code: 'SYNC_IN_PROGRESS',
    });
    expect(await world.store.load(TENANT, world.integration.id)).toHaveLength(written);
  });
});
