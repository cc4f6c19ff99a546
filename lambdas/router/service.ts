import type { Partition } from '../../schemas/api/common';
import {
  type IngressEvent,
  ingressEventName,
  ingressEventSchema,
  isRegionOptIn,
} from '../../schemas/ingress';
import { describeIssues, NotFoundError } from '../core/errors';
import { logger } from '../core/logger';
import { IntegrationDeletingError } from '../domain/sync-runs';
import type { SyncRequests } from '../ports/syncs';
import type { RoutingPort } from './ports';
import { routingOf } from './targets';

export type RouterMetric =
  | 'MalformedEvents'
  | 'IgnoredEvents'
  | 'UnknownAccountEvents'
  | 'DuplicateEvents'
  | 'RoutedEvents';

export interface RouterMetrics {
  count(metric: RouterMetric): void;
}

export interface RouterDeps {
  readonly routing: RoutingPort;
  readonly syncs: Pick<SyncRequests, 'requestSync'>;
  readonly metrics: RouterMetrics;
  /** Our partition: forwarded events come from accounts of the same one. */
  readonly partition: Partition;
}

export type RouteOutcome =
  | { readonly outcome: 'malformed' | 'ignored' | 'unknown-account' }
  | { readonly outcome: 'routed'; readonly runs: readonly string[]; readonly duplicates: number };

/**
 * Turns a forwarded event (an Organizations change, or a region's opt-in) into syncs of the
 * integrations of its account.
 * Nothing an event says is trusted beyond which account it came from (set by EventBridge) and
 * what to read again; a malformed event, an event for an account we do not know, and a failed
 * call are counted and dropped without an error, so they never reach the dead-letter queue.
 */
export function makeRouter({ routing, syncs, metrics, partition }: RouterDeps) {
  return {
    /** `invocationId` names the run when the event carries no id of its own. */
    async route(raw: unknown, invocationId: string): Promise<RouteOutcome> {
      const parsed = ingressEventSchema.safeParse(raw);
      if (!parsed.success) {
        metrics.count('MalformedEvents');
        logger.warn('malformed ingress event dropped', {
          problems: describeIssues(parsed.error, 5),
        });
        return { outcome: 'malformed' };
      }
      const event = parsed.data;
      const eventId = eventIdOf(event);
      // The runs this event starts, and every event they publish, carry its id.
      const correlationId = eventId ?? invocationId;
      logger.setCorrelationId(correlationId);
      const eventName = ingressEventName(event);
      const routed = routingOf(event);
      if (routed.action === 'ignore') {
        metrics.count('IgnoredEvents');
        logger.info('ingress event ignored', { eventName, account: event.account, reason: routed.reason });
        return { outcome: 'ignored' };
      }
      const integrations = await routing.integrationsOf(partition, event.account);
      if (integrations.length === 0) {
        metrics.count('UnknownAccountEvents');
        logger.info('ingress event for an unknown account dropped', { eventName, account: event.account });
        return { outcome: 'unknown-account' };
      }
      metrics.count('RoutedEvents');
      const runs: string[] = [];
      let duplicates = 0;
      for (const target of integrations) {
        if (eventId !== undefined && (await routing.seen(target, eventId))) {
          duplicates += 1;
          continue;
        }
        try {
          const { runId, coalesced } = await syncs.requestSync({
            ...target,
            trigger: 'event',
            confirmDeletions: false,
            targets: routed.targets,
            correlationId,
          });
          runs.push(runId);
          if (eventId !== undefined) await routing.remember(target, eventId);
          logger.info('ingress event routed', {
            eventName,
            integrationId: target.integrationId,
            runId,
            coalesced,
            targeted: routed.targets !== null,
          });
        } catch (error: unknown) {
          // Deleted, or being deleted, since the index was read: nothing to sync.
          if (!(error instanceof NotFoundError || error instanceof IntegrationDeletingError)) throw error;
        }
      }
      if (duplicates > 0) metrics.count('DuplicateEvents');
      return { outcome: 'routed', runs, duplicates };
    },
  };
}

export type Router = ReturnType<typeof makeRouter>;

/** EventBridge's id, else CloudTrail's: both are unique per event and kept by a redelivery. */
function eventIdOf(event: IngressEvent): string | undefined {
  return event.id ?? (isRegionOptIn(event) ? undefined : event.detail.eventID);
}
