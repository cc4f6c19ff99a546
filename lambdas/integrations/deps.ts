import type { AuditTrail } from '../domain/audit';
import type { RoleArnRules } from '../domain/role-arn';
import type { AuditLog } from '../ports/audit';
import type { ExternalIdStore } from '../ports/external-ids';
import type { RoleTests } from '../ports/role-tests';
import type { SyncRequests } from '../ports/syncs';
import type { FairUse } from './fair-use';
import type { IntegrationStore } from './ports';

/** What the integration use cases work with: their ports, settings and clock. */
export interface IntegrationDeps {
  readonly store: IntegrationStore;
  readonly externalIds: ExternalIdStore;
  readonly roleTest: RoleTests;
  readonly syncs: Pick<SyncRequests, 'requestSync' | 'requestDeletion'>;
  /** Checks the stored role ARNs again, to name their role claims. */
  readonly roleRules: RoleArnRules;
  /** How often the schedule re-syncs each integration. */
  readonly scheduleIntervalMs: number;
  /** Integrations a tenant may hold. */
  readonly maxIntegrations: number;
  /** Every role test spends one of the tenant's budget. */
  readonly fairUse: FairUse;
  /** Builds the audit entry of each change; the change's own write carries it where it has one. */
  readonly audit: AuditTrail;
  /** Keeps the entries of changes whose write cannot carry one (a run's start, a role test). */
  readonly auditLog: AuditLog;
  /** @default the system clock */
  readonly now?: () => Date;
}

/** The deps as each use case takes them, the clock given. */
export type UseCaseDeps = IntegrationDeps & { readonly now: () => Date };
