import type { Context } from 'aws-lambda';
import { envSchema, SYNC_ENV } from '../../schemas/environment';
import { awsSyncWiring, composeSyncService } from '../composition/sync';
import { composeRouter } from '../composition/triggers';
import { loadEnv } from '../core/env';
import { lambdaHandler } from '../core/lambda-handler';
import { functionMetrics } from '../core/metrics';
import type { Router } from '../router/service';

/** The ingress rule's target: one forwarded Organizations event per invocation. */
export function createHandler(router: Router) {
  return (event: unknown, context: Pick<Context, 'awsRequestId'>) =>
    router.route(event, context.awsRequestId);
}

const env = loadEnv(envSchema(...SYNC_ENV, 'PARTITION'));
const aws = awsSyncWiring(env);

export const handler = lambdaHandler(
  createHandler(
    composeRouter({
      ...aws,
      syncs: composeSyncService(aws),
      partition: env.PARTITION,
      metrics: functionMetrics('router'),
    }),
  ),
);
