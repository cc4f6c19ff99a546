import type { Context } from 'aws-lambda';
import { envSchema, SYNC_ENV } from '../../schemas/environment';
import { awsSyncWiring, composeSyncService } from '../composition/sync';
import { composeScheduler } from '../composition/triggers';
import { loadEnv } from '../core/env';
import { lambdaHandler } from '../core/lambda-handler';
import { logger } from '../core/logger';
import { type FunctionMetrics, functionMetrics } from '../core/metrics';
import type { Scheduler } from '../schedule/service';

/** A tick stops starting syncs this long before its invocation must end. */
const TICK_MARGIN_MS = 10_000;

/** The schedule rule's target: one tick per invocation; what it leaves is due for the next. */
export function createHandler(scheduler: Scheduler, metrics: FunctionMetrics) {
  return async (_event: unknown, context: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>) => {
    // The tick's invocation names the runs it starts, and every line they log.
    logger.setCorrelationId(context.awsRequestId);
    const deadline = Date.now() + context.getRemainingTimeInMillis() - TICK_MARGIN_MS;
    const summary = await scheduler.tick(deadline, context.awsRequestId);
    metrics.count('ScheduledSyncsStarted', summary.started + summary.coalesced);
    metrics.count('ScheduledSyncsFailed', summary.failed);
    metrics.count('ScheduleBehind', summary.behind ? 1 : 0);
    return summary;
  };
}

const env = loadEnv(envSchema(...SYNC_ENV, 'SYNC_INTERVAL_SECONDS', 'MAX_CONCURRENT_SYNCS'));
const aws = awsSyncWiring(env);

export const handler = lambdaHandler(
  createHandler(
    composeScheduler({
      ...aws,
      syncs: composeSyncService(aws),
      settings: {
        intervalMs: env.SYNC_INTERVAL_SECONDS * 1000,
        maxConcurrentSyncs: env.MAX_CONCURRENT_SYNCS,
      },
    }),
    functionMetrics('schedule'),
  ),
);
