import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { STSClient } from '@aws-sdk/client-sts';
import type { Context } from 'aws-lambda';
import { type CredentialAnswer, DEFAULT_STS_BUDGET } from '../../schemas/credentials';
import { envSchema } from '../../schemas/environment';
import { StsCustomerRoles } from '../adapters/aws/sts-customer-roles';
import { composeCredentialsBroker } from '../composition/credentials';
import { roleRulesOf } from '../composition/sync';
import { createDocumentClient } from '../core/dynamodb';
import { loadEnv } from '../core/env';
import { lambdaHandler } from '../core/lambda-handler';
import { traced } from '../core/tracer';
import { type CredentialsBroker, callerOf } from './service';

/** The broker's Lambda: one Invoke payload in, credentials or a refusal out (never a function error). */
export function createHandler(
  broker: CredentialsBroker,
  identity: { readonly mode: 'alias' | 'none'; readonly consumers: readonly string[] },
) {
  const answer = (event: unknown, context: Context): Promise<CredentialAnswer> =>
    broker.answer(event, callerOf(context, identity.mode, identity.consumers));
  return lambdaHandler<unknown, CredentialAnswer>(answer);
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
const metrics = new Metrics({ namespace: 'AwsOrgConnections', serviceName: 'credentials' });

export const handler = createHandler(
  composeCredentialsBroker({
    db: createDocumentClient(),
    tableName: env.TABLE_NAME,
    issuer: new StsCustomerRoles(traced(new STSClient({}))),
    stsBudget: {
      rate: env.STS_BUDGET_RATE ?? DEFAULT_STS_BUDGET.rate,
      burst: env.STS_BUDGET_BURST ?? DEFAULT_STS_BUDGET.burst,
    },
    roleRules: roleRulesOf(env),
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
