import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { envSchema, SYNC_ENV } from '../../schemas/environment';
import { awsSyncWiring, composeSyncService } from '../composition/sync';
import { composeRouter } from '../composition/triggers';
import { loadEnv } from '../core/env';
import { lambdaHandler } from '../core/lambda-handler';
import type { Router } from '../router/service';

/** The ingress rule's target: one forwarded Organizations event per invocation. */
export function createHandler(router: Router, metrics: Metrics) {
  return async (event: unknown, context: Pick<Context, 'awsRequestId'>) => {
    try {
      return await router.route(event, context.awsRequestId);
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

const env = loadEnv(envSchema(...SYNC_ENV, 'PARTITION'));
const aws = awsSyncWiring(env);
const metrics = new Metrics({ namespace: 'AwsOrgConnections', serviceName: 'router' });

export const handler = lambdaHandler(
  createHandler(
    composeRouter({
      ...aws,
      syncs: composeSyncService(aws),
      partition: env.PARTITION,
      metrics: { count: (metric) => metrics.addMetric(metric, MetricUnit.Count, 1) },
    }),
    metrics,
  ),
);
