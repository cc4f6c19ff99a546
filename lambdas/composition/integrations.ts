import { DynamoDbAuditLog } from '../adapters/aws/dynamodb-audit';
import { DynamoDbExternalIds } from '../adapters/aws/dynamodb-external-ids';
import { DynamoDbHealth } from '../adapters/aws/dynamodb-health';
import { DynamoDbIdempotency } from '../adapters/aws/dynamodb-idempotency';
import { DynamoDbIntegrations } from '../adapters/aws/dynamodb-integrations';
import { DynamoDbMemberCheckLease } from '../adapters/aws/dynamodb-member-check-lease';
import { DynamoDbOutbox } from '../adapters/aws/dynamodb-outbox';
import { DynamoDbRateBudget, requestBudget } from '../adapters/aws/dynamodb-rate-budget';
import {
  DEFAULT_FAIR_USE,
  type ExpensiveRequest,
  type FairUseLimits,
  makeFairUse,
  perMinute,
} from '../integrations/fair-use';
import { makeNodeService } from '../integrations/nodes';
import { makeIntegrationOperations } from '../integrations/operations';
import { makeIntegrationService } from '../integrations/service';
import type { WorkflowPort } from '../ports/sync-state';
import type { RoleTestDeps } from '../role-test/service';
import { countingOutcomes, makeRoleTestService } from '../role-test/service';
import { composeAuditTrail } from './audit';
import { composeSyncService, epochOf, type SyncWiring, syncStores } from './sync';

export interface IntegrationsWiring extends Omit<SyncWiring, 'workflow'> {
  readonly workflow: Pick<WorkflowPort, 'start' | 'checkMembers'>;
  /** How often the schedule re-syncs each integration. */
  readonly scheduleIntervalMs: number;
  readonly trustPolicyProbes?: RoleTestDeps['trustPolicyProbes'];
  readonly templatesBaseUrl: string;
  /** Each tenant's share of expensive requests and of integrations. @default DEFAULT_FAIR_USE */
  readonly fairUse?: FairUseLimits;
  /** Counts each role test's outcome: `passed`, or the code it failed with. @default none */
  readonly countRoleTest?: (outcome: string) => void;
  /** How long audit entries are kept. @default DEFAULT_AUDIT_RETENTION_DAYS */
  readonly auditRetentionDays?: number;
  /** How often every member role is checked when nothing changes. @default a day */
  readonly memberCheckIntervalMs?: number;
}

/** The integrations API's services: integrations (with role tests and syncs) and their folders and connections. */
export function composeIntegrationsApi(wiring: IntegrationsWiring) {
  const { db, tableName, roles, roleRules, workflow } = wiring;
  const stores = wiring.stores ?? syncStores(db, tableName, wiring.clock);
  const syncs = composeSyncService({ ...wiring, stores });
  const health = new DynamoDbHealth(db, tableName, epochOf(wiring.clock));
  const limits = wiring.fairUse ?? DEFAULT_FAIR_USE;
  const budget = (request: ExpensiveRequest, perMinuteCount: number) =>
    new DynamoDbRateBudget(
      db,
      tableName,
      requestBudget(request),
      perMinute(perMinuteCount),
      epochOf(wiring.clock),
    );
  const fairUse = makeFairUse({
    'role-test': budget('role-test', limits.roleTestsPerMinute),
    sync: budget('sync', limits.syncsPerMinute),
  });
  const roleTest = countingOutcomes(
    makeRoleTestService({
      roles,
      rules: roleRules,
      trustPolicyProbes: wiring.trustPolicyProbes,
      templatesBaseUrl: wiring.templatesBaseUrl,
    }),
    wiring.countRoleTest ?? (() => undefined),
  );
  const audit = {
    audit: composeAuditTrail(wiring),
    auditLog: new DynamoDbAuditLog(db, tableName),
  };
  const service = makeIntegrationService({
    store: new DynamoDbIntegrations(db, tableName),
    externalIds: new DynamoDbExternalIds(db, tableName),
    roleTest,
    syncs,
    roleRules,
    scheduleIntervalMs: wiring.scheduleIntervalMs,
    maxIntegrations: limits.maxIntegrations,
    fairUse,
    ...audit,
  });
  const operations = makeIntegrationOperations({
    integrations: service,
    roleTest,
    syncs,
    syncState: stores.state,
    mirror: stores.mirror,
    health,
    workflow,
    activity: new DynamoDbOutbox(db, tableName),
    templates: { baseUrl: wiring.templatesBaseUrl, trustedAccountId: roleRules.trustedAccountId },
    fairUse,
    checkLease: new DynamoDbMemberCheckLease(db, tableName),
    memberCheckIntervalMs: wiring.memberCheckIntervalMs,
    ...audit,
  });
  const nodes = makeNodeService({
    integrations: service,
    mirror: stores.mirror,
    syncs,
    health,
    audit: audit.audit,
  });
  const idempotency = new DynamoDbIdempotency(db, tableName, epochOf(wiring.clock));
  return { service, operations, nodes, idempotency };
}

export type IntegrationsApi = ReturnType<typeof composeIntegrationsApi>;
