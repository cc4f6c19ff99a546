/**
 * What the member check costs at one organization size, in a process of its own: the real sync
 * and member-check services on DynamoDB Local against a generated organization whose every
 * account has its member role, on a virtual clock (only calls are counted here). It drives the
 * check each run's end asks for, as the workflow would, and counts the AssumeRole, IAM and
 * ListRegions calls of: the first complete check, a no-op re-sync, a targeted run that creates
 * one account, the run a region's opt-in sets off, and the complete check once the interval has
 * passed. It writes them as JSON to the file named by its argument.
 *
 * Usage: tsx bench/member-check-size.ts '<MemberCheckInput as JSON>'
 */
import { writeFile } from 'node:fs/promises';
import { DynamoDbHealth } from '../lambdas/adapters/aws/dynamodb-health';
import { SandboxCustomerRoles } from '../lambdas/adapters/sandbox/sandbox-customer-roles';
import { composeMemberCheck } from '../lambdas/composition/sync';
import { createDocumentClient } from '../lambdas/core/dynamodb';
import {
  DEFAULT_MEMBER_CHECK_INTERVAL_MS,
  type MemberCheckRequest,
} from '../lambdas/domain/member-check-cadence';
import { DEFAULT_MEMBER_ROLE_NAME } from '../lambdas/domain/role-arn';
import type { RunRef } from '../lambdas/domain/sync-runs';
import type {
  AssumeRoleRequest,
  CustomerRoleSession,
  CustomerRolesPort,
} from '../lambdas/ports/customer-roles';
import { localDynamoDbClient } from '../local/dynamodb-local';
import { syncTargets } from '../schemas/sync';
import type { OrgShape } from '../test/fixtures/generated-org';
import { createSyncWorld, TENANT, TRUSTED, virtualClock } from '../test/fixtures/sync-world';
import type { CheckCalls, MemberCheckResult } from './results';

export interface MemberCheckInput {
  readonly endpoint: string;
  readonly shape: Required<OrgShape>;
  readonly output: string;
}

/** A Lambda invocation's time, as the workflow gives each check invocation. */
const INVOCATION_MS = 15 * 60 * 1000;

/** The roles port, counting what a member check asks of AWS through it. */
class CountingRoles implements CustomerRolesPort {
  calls: CheckCalls = { assumeRole: 0, iam: 0, listRegions: 0 };

  constructor(private readonly roles: CustomerRolesPort) {}

  async assumeRole(request: AssumeRoleRequest): Promise<CustomerRoleSession> {
    this.add('assumeRole');
    const session = await this.roles.assumeRole(request);
    const add = (kind: keyof CheckCalls) => this.add(kind);
    return new Proxy(session, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        if (property === 'simulate' || property === 'roleTags') add('iam');
        if (property === 'enabledRegions') add('listRegions');
        return value.bind(target);
      },
    });
  }

  /** The calls since the last `take`. */
  take(): CheckCalls {
    const { calls } = this;
    this.calls = { assumeRole: 0, iam: 0, listRegions: 0 };
    return calls;
  }

  private add(kind: keyof CheckCalls): void {
    this.calls = { ...this.calls, [kind]: this.calls[kind] + 1 };
  }
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '') as MemberCheckInput;
  const client = localDynamoDbClient(input.endpoint);
  const clock = virtualClock();
  const tableName = `bench-checks-${input.shape.accounts}-${Date.now()}`;
  const world = await createSyncWorld({ client, tableName, shape: input.shape, clock });
  const { sandbox, integration } = world;
  const deployRole = (accountId: string) =>
    sandbox.deployments.createRole({
      accountId,
      roleName: integration.memberRoleName ?? DEFAULT_MEMBER_ROLE_NAME,
      externalId: integration.externalId,
    });
  for (const account of sandbox.snapshot().accounts) {
    if (account.id !== sandbox.managementAccountId) deployRole(account.id);
  }
  const roles = new CountingRoles(new SandboxCustomerRoles(sandbox, TRUSTED));
  const db = createDocumentClient(client);
  const checks = composeMemberCheck({
    db,
    tableName,
    stores: { state: world.store, mirror: world.store },
    roles,
    roleRules: { trustedAccountId: TRUSTED, allowedPartitions: ['aws'] },
    clock,
  });

  /** Runs the check a run's end asked for to its end, as the workflow would; then its calls. */
  async function checkAfter(ref: RunRef, request: MemberCheckRequest | null): Promise<CheckCalls> {
    roles.take();
    if (request === null) return roles.take();
    let progress = await checks.check(ref, null, clock.now() + INVOCATION_MS, request);
    for (let invocations = 1; !progress.done; invocations += 1) {
      if (invocations > 1_000) throw new Error('the member check does not end');
      await clock.sleep(progress.waitSeconds * 1000);
      progress = await checks.check(ref, progress, clock.now() + INVOCATION_MS);
    }
    return roles.take();
  }
  async function runAndCheck(targets?: Parameters<typeof syncTargets>[0]) {
    const { ref, check } = await world.run(targets ? { targets: syncTargets(targets) } : {});
    return checkAfter(ref, check);
  }

  /** The connections a complete check looks at: every active one. */
  const active = async () =>
    (await world.store.load(TENANT, integration.id)).filter(
      (node) => node.type === 'connection' && !node.disabled,
    ).length;
  const firstCheck = await runAndCheck();
  const connections = await active();
  const noop = await runAndCheck();
  const parent = sandbox.rootId;
  const created = sandbox.createAccount('Bench new', 'bench-new@example.com', parent);
  deployRole(created.id);
  const newAccount = await runAndCheck({ accounts: [created.id] });
  sandbox.setEnabledRegions(created.id, ['us-east-1', 'eu-south-1']);
  const regionOptIn = await runAndCheck({ regionsChanged: [created.id] });
  await clock.sleep(DEFAULT_MEMBER_CHECK_INTERVAL_MS);
  const dailyCheck = await runAndCheck();
  const health = await new DynamoDbHealth(db, tableName).health(
    TENANT,
    integration.id,
    (await world.store.load(TENANT, integration.id)).flatMap((node) =>
      node.type === 'connection' ? [node.id] : [],
    ),
  );
  const result: MemberCheckResult = {
    accounts: input.shape.accounts,
    connections,
    firstCheck,
    noop,
    newAccount,
    regionOptIn,
    dailyCheck,
    dailyConnections: await active(),
    healthRecords: health.size,
  };
  await writeFile(input.output, JSON.stringify(result));
  client.destroy();
}

await main();
