import type { RoleArnRules } from '../domain/role-arn';
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
  /** @default the system clock */
  readonly now?: () => Date;
}

/** The deps as each use case takes them, the clock given. */
export type UseCaseDeps = IntegrationDeps & { readonly now: () => Date };
