import { STSClient } from '@aws-sdk/client-sts';
import type { Context } from 'aws-lambda';
import { type CredentialAnswer, DEFAULT_STS_BUDGET } from '../../schemas/credentials';
import { envSchema } from '../../schemas/environment';
import { assertionVerifierOf, brokerIssuer, brokerTables } from '../composition/credentials';
import { roleRulesOf } from '../composition/role-rules';
import { perTenant } from '../composition/tenant-table';
import { loadEnv } from '../core/env';
import { lambdaHandler } from '../core/lambda-handler';
import { functionMetrics } from '../core/metrics';
import { traced } from '../core/tracer';
import { type CredentialsBroker, callerOf, makeCredentialsBroker } from '../credentials/service';

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
    'TENANT_TABLE_ROLE_ARN',
    'BROKER_ASSERTION_ISSUER',
    'BROKER_ASSERTION_JWKS_URI',
    'BROKER_ASSERTION_AUDIENCE',
  ),
);
const metrics = functionMetrics('credentials');
const sts = traced(new STSClient({}));
const stsBudget = {
  rate: env.STS_BUDGET_RATE ?? DEFAULT_STS_BUDGET.rate,
  burst: env.STS_BUDGET_BURST ?? DEFAULT_STS_BUDGET.burst,
};

export const handler = createHandler(
  makeCredentialsBroker({
    consumers: env.CREDENTIAL_CONSUMERS,
    assertions: assertionVerifierOf(env),
    // The payload names the tenant; the table is read only as that tenant.
    tables: perTenant((db) => brokerTables(db, env.TABLE_NAME, stsBudget), env.TENANT_TABLE_ROLE_ARN, sts),
    issuer: brokerIssuer(sts),
    roleRules: roleRulesOf(env),
    metrics: { count: (metric, dimensions) => metrics.count(metric, 1, dimensions) },
  }),
  { mode: env.CONSUMER_IDENTITY, consumers: env.CREDENTIAL_CONSUMERS.map((consumer) => consumer.name) },
);
