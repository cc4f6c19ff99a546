import type { Partition } from '../../schemas/api/common';

/** An integration whose organization an event is about. */
export interface RoutedIntegration {
  readonly tenantId: string;
  readonly integrationId: string;
}

export interface RoutingPort {
  /** Integrations whose management account is `accountId` (the `by-management-account` index). */
  integrationsOf(partition: Partition, accountId: string): Promise<RoutedIntegration[]>;
  /** Whether the integration's sync was already started for this event. */
  seen(target: RoutedIntegration, eventId: string): Promise<boolean>;
  /**
   * Records that it was, once the sync started: a delivery that failed before that may be
   * retried. Two deliveries at once may both start one; the second folds into a follow-up.
   */
  remember(target: RoutedIntegration, eventId: string): Promise<void>;
}
