import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { envSchema, SYNC_ENV } from '../../schemas/environment';
import { DynamoDbRouting } from '../adapters/aws/dynamodb-routing';
import { awsSyncWiring, composeSyncService } from '../composition/sync';
import { createDocumentClient } from '../core/dynamodb';
import { loadEnv } from '../core/env';
import { makeRouter, type RouterDeps } from './service';

/** The ingress rule's target: one forwarded Organizations event per invocation. */
export function createHandler(deps: Omit<RouterDeps, 'metrics'> & { readonly metrics: Metrics }) {
  const router = makeRouter({
    ...deps,
    metrics: { count: (metric) => deps.metrics.addMetric(metric, MetricUnit.Count, 1) },
  });
  return async (event: unknown) => {
    try {
      return await router.route(event);
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
}

const env = loadEnv(envSchema(...SYNC_ENV, 'PARTITION'));

export const handler = createHandler({
  routing: new DynamoDbRouting(createDocumentClient(), env.TABLE_NAME),
  syncs: composeSyncService(awsSyncWiring(env)),
  partition: env.PARTITION,
  metrics: new Metrics({ namespace: 'AwsOrgConnections', serviceName: 'router' }),
});
