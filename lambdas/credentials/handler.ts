import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { STSClient } from '@aws-sdk/client-sts';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { CredentialAnswer } from '../../schemas/credentials';
import { envSchema } from '../../schemas/environment';
import { DynamoDbConnectionDirectory } from '../adapters/aws/dynamodb-connection-directory';
import { DynamoDbStsBudget } from '../adapters/aws/dynamodb-sts-budget';
import { StsCustomerRoles } from '../adapters/aws/sts-customer-roles';
import { createDocumentClient } from '../core/dynamodb';
import { loadEnv } from '../core/env';
import { logger } from '../core/logger';
import { type CredentialsBroker, callerOf, makeCredentialsBroker } from './service';

/** The broker's Lambda: one Invoke payload in, credentials or a refusal out (never a function error). */
export function createHandler(
  broker: CredentialsBroker,
  identity: { readonly mode: 'alias' | 'none'; readonly consumers: readonly string[] },
) {
  const answer = (event: unknown, context: Context): Promise<CredentialAnswer> =>
    broker.answer(event, callerOf(context, identity.mode, identity.consumers));
  return middy<unknown, CredentialAnswer, Error, Context>(answer).use(
    injectLambdaContext(logger, { resetKeys: true }),
  );
}

const env = loadEnv(
  envSchema(
    'TABLE_NAME',
    'TRUSTED_ACCOUNT_ID',
    'ALLOWED_PARTITIONS',
    'CONSUMER_IDENTITY',
    'CREDENTIAL_CONSUMERS',
    'STS_BUDGET_RATE',
    'STS_BUDGET_BURST',
  ),
);
const db = createDocumentClient();
const metrics = new Metrics({ namespace: 'AwsOrgConnections', serviceName: 'credentials' });

export const handler = createHandler(
  makeCredentialsBroker({
    directory: new DynamoDbConnectionDirectory(db, env.TABLE_NAME),
    issuer: new StsCustomerRoles(new STSClient({})),
    budget: new DynamoDbStsBudget(db, env.TABLE_NAME, {
      rate: env.STS_BUDGET_RATE,
      burst: env.STS_BUDGET_BURST,
    }),
    roleRules: { trustedAccountId: env.TRUSTED_ACCOUNT_ID, allowedPartitions: env.ALLOWED_PARTITIONS },
    metrics: {
      // One metric an answer, published as it is counted, each with its own dimension.
      count: (metric, dimensions) => {
        const single = metrics.singleMetric();
        single.addDimensions(dimensions);
        single.addMetric(metric, MetricUnit.Count, 1);
      },
    },
  }),
  { mode: env.CONSUMER_IDENTITY, consumers: env.CREDENTIAL_CONSUMERS },
);
