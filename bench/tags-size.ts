/**
 * What reading Organizations tags costs at one organization size, in a process of its own: the
 * real sync service on DynamoDB Local against a generated organization whose integration reads
 * tags, on a virtual clock (only calls are counted here; the sync section times the walk). It
 * counts ListTagsForResource calls in a first sync, a re-sync the same day, a re-sync a day
 * later, and the run one TagResource event sets off, and writes them as JSON to the file named
 * by its argument.
 *
 * Usage: tsx bench/tags-size.ts '<TagsInput as JSON>'
 */
import { writeFile } from 'node:fs/promises';
import { ORGANIZATIONS_LIMITS } from '../lambdas/domain/organizations-limits';
import { DEFAULT_SYNC_SETTINGS } from '../lambdas/sync/service';
import { TAG_REREAD_INTERVAL_MS } from '../lambdas/sync/tags';
import { localDynamoDbClient } from '../local/dynamodb-local';
import { syncTargets } from '../schemas/sync';
import type { OrgShape } from '../test/fixtures/generated-org';
import { createSyncWorld, TENANT, virtualClock } from '../test/fixtures/sync-world';
import type { TagsResult } from './results';

export interface TagsInput {
  readonly endpoint: string;
  readonly shape: Required<OrgShape>;
  readonly output: string;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '') as TagsInput;
  const client = localDynamoDbClient(input.endpoint);
  const clock = virtualClock();
  const world = await createSyncWorld({
    client,
    tableName: `bench-tags-${input.shape.accounts}-${Date.now()}`,
    shape: input.shape,
    clock,
    settings: { rateFraction: DEFAULT_SYNC_SETTINGS.rateFraction },
    integration: { tags: { read: true } },
  });
  const count = () => {
    const { calls } = world.sandbox;
    return { all: calls.length, tags: calls.filter((call) => call.api === 'ListTagsForResource').length };
  };
  /** The calls a run makes: all of them, and the tag reads among them. */
  async function measure(run: () => Promise<unknown>) {
    const before = count();
    await run();
    const after = count();
    return { orgCalls: after.all - before.all, tagCalls: after.tags - before.tags };
  }

  const first = await measure(() => world.run());
  const sameDay = await measure(() => world.run());
  await clock.sleep(TAG_REREAD_INTERVAL_MS);
  const nextDay = await measure(() => world.run());
  const member = world.sandbox
    .snapshot()
    .accounts.find(
      (account) => account.id !== world.sandbox.managementAccountId && account.state === 'ACTIVE',
    );
  if (!member) throw new Error('the organization has no member account');
  world.sandbox.tagAccount(member.id, { team: 'bench' });
  const event = await measure(() => world.run({ targets: syncTargets({ tagged: [member.id] }) }));
  const mirror = await world.store.load(TENANT, world.integration.id);
  const tagged = mirror.find((node) => node.id === member.id)?.tags?.team === 'bench';
  const { rate } = ORGANIZATIONS_LIMITS.ListTagsForResource;
  const result: TagsResult = {
    accounts: input.shape.accounts,
    ous: input.shape.ous,
    nodes: mirror.length,
    firstSyncTagCalls: first.tagCalls,
    firstSyncOrgCalls: first.orgCalls,
    firstSyncAddedSeconds: first.tagCalls / (rate * DEFAULT_SYNC_SETTINGS.rateFraction),
    sameDayTagCalls: sameDay.tagCalls,
    nextDayTagCalls: nextDay.tagCalls,
    eventTagCalls: event.tagCalls,
    eventOrgCalls: event.orgCalls,
    eventTagged: tagged,
  };
  await writeFile(input.output, JSON.stringify(result));
  client.destroy();
}

await main();
