import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { z } from 'zod';
import { DynamoDbRouting } from '../adapters/aws/dynamodb-routing';
import { DynamoDbSync } from '../adapters/aws/dynamodb-sync';
import { SfnWorkflow } from '../adapters/aws/sfn-workflow';
import { StsCustomerRoles } from '../adapters/aws/sts-customer-roles';
import { createDocumentClient } from '../core/dynamodb';
import { loadEnv, partitionSchema } from '../core/env';
import { syncEnvSchema } from '../sync/env';
import { DEFAULT_SYNC_SETTINGS, makeSyncService } from '../sync/service';
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

const env = loadEnv(syncEnvSchema.extend({ PARTITION: partitionSchema }));
const db = createDocumentClient();
const store = new DynamoDbSync(db, env.TABLE_NAME);

export const handler = createHandler({
  routing: new DynamoDbRouting(db, env.TABLE_NAME),
  syncs: makeSyncService({
    state: store,
    mirror: store,
    roles: new StsCustomerRoles(new STSClient({})),
    workflow: new SfnWorkflow(new SFNClient({}), env.STATE_MACHINE_ARN),
    settings: {
      ...DEFAULT_SYNC_SETTINGS,
      roleRules: { trustedAccountId: env.TRUSTED_ACCOUNT_ID, allowedPartitions: env.ALLOWED_PARTITIONS },
    },
  }),
  partition: env.PARTITION,
  metrics: new Metrics({ namespace: 'AwsOrgConnections', serviceName: 'router' }),
});
