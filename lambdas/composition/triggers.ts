import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Partition } from '../../schemas/api/common';
import { DynamoDbRouting } from '../adapters/aws/dynamodb-routing';
import { DynamoDbSchedule } from '../adapters/aws/dynamodb-schedule';
import { makeRouter, type RouterDeps } from '../router/service';
import { makeScheduler, type ScheduleDeps } from '../schedule/service';

interface TriggerWiring {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly syncs: RouterDeps['syncs'];
}

/** Routes forwarded Organizations events to targeted syncs of the integrations they concern. */
export function composeRouter(
  wiring: TriggerWiring & { readonly metrics: RouterDeps['metrics']; readonly partition: Partition },
) {
  return makeRouter({
    routing: new DynamoDbRouting(wiring.db, wiring.tableName),
    syncs: wiring.syncs,
    metrics: wiring.metrics,
    partition: wiring.partition,
  });
}

/** The schedule's fan-out: starts the syncs that are due, within the cap on running ones. */
export function composeScheduler(wiring: TriggerWiring & Omit<ScheduleDeps, 'store' | 'syncs'>) {
  return makeScheduler({
    store: new DynamoDbSchedule(wiring.db, wiring.tableName),
    syncs: wiring.syncs,
    workflow: wiring.workflow,
    settings: wiring.settings,
    clock: wiring.clock,
  });
}
