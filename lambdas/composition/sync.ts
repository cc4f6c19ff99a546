import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EnvValues, SYNC_ENV } from '../../schemas/environment';
import { DynamoDbHealth } from '../adapters/aws/dynamodb-health';
import { DynamoDbMemberCheckLease } from '../adapters/aws/dynamodb-member-check-lease';
import { DynamoDbMirror } from '../adapters/aws/dynamodb-mirror';
import { DynamoDbRuns } from '../adapters/aws/dynamodb-runs';
import { SfnWorkflow } from '../adapters/aws/sfn-workflow';
import { StsCustomerRoles } from '../adapters/aws/sts-customer-roles';
import type { Clock } from '../core/clock';
import { createDocumentClient } from '../core/dynamodb';
import { traced } from '../core/tracer';
import type { RoleArnRules } from '../domain/role-arn';
import { makeMemberCheckService } from '../health/service';
import type { CustomerRolesPort } from '../ports/customer-roles';
import type { MirrorStore, SyncStateStore, WorkflowPort } from '../ports/sync-state';
import { DEFAULT_SYNC_SETTINGS, makeSyncService, type SyncSettings } from '../sync/service';
import { roleRulesOf } from './role-rules';

type SyncEnv = EnvValues<(typeof SYNC_ENV)[number]>;

/** What the sync engine runs on; the local runtime, the bench and the tests pass their own. */
export interface SyncWiring {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly roles: CustomerRolesPort;
  readonly workflow: Pick<WorkflowPort, 'start'>;
  readonly roleRules: RoleArnRules;
  readonly settings?: Partial<Omit<SyncSettings, 'roleRules'>>;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** The table's stores, when a test watches or wraps them. */
  readonly stores?: { readonly state: SyncStateStore; readonly mirror: MirrorStore };
}

/** The sync engine's stores in the table. */
export function syncStores(db: DynamoDBDocumentClient, tableName: string, clock?: Clock) {
  const now = epochOf(clock);
  return { state: new DynamoDbRuns(db, tableName, now), mirror: new DynamoDbMirror(db, tableName, now) };
}

/** The adapters take time as epoch milliseconds. */
export function epochOf(clock: Clock | undefined): () => number {
  return clock ? () => clock.now() : Date.now;
}

export function composeSyncService(wiring: SyncWiring) {
  return makeSyncService({
    ...(wiring.stores ?? syncStores(wiring.db, wiring.tableName, wiring.clock)),
    roles: wiring.roles,
    workflow: wiring.workflow,
    settings: { ...DEFAULT_SYNC_SETTINGS, ...wiring.settings, roleRules: wiring.roleRules },
    clock: wiring.clock,
    random: wiring.random,
  });
}

export function composeMemberCheck(wiring: Omit<SyncWiring, 'workflow' | 'settings' | 'random'>) {
  const now = epochOf(wiring.clock);
  return makeMemberCheckService({
    state: wiring.stores?.state ?? new DynamoDbRuns(wiring.db, wiring.tableName, now),
    store: new DynamoDbHealth(wiring.db, wiring.tableName, now),
    lease: new DynamoDbMemberCheckLease(wiring.db, wiring.tableName),
    roles: wiring.roles,
    roleRules: wiring.roleRules,
    clock: wiring.clock,
  });
}

/** The AWS side of a function that runs or starts syncs: clients made once, at module load. */
export function awsSyncWiring(env: SyncEnv): SyncWiring & { readonly workflow: WorkflowPort } {
  return { db: createDocumentClient(), ...awsSyncClients(env) };
}

/** The same, but for the table client: a function that reaches the table per tenant brings its own. */
export function awsSyncClients(env: SyncEnv): Omit<SyncWiring, 'db'> & { readonly workflow: WorkflowPort } {
  return {
    tableName: env.TABLE_NAME,
    roles: new StsCustomerRoles(traced(new STSClient({}))),
    workflow: new SfnWorkflow(traced(new SFNClient({})), env.STATE_MACHINE_ARN),
    roleRules: roleRulesOf(env),
  };
}
