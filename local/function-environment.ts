import path from 'node:path';
import type { Environment } from '../schemas/environment';
import { type LocalConfig, localTemplatesBaseUrl } from './config';
import { LOCAL_AUDIENCE, LOCAL_BROKER_AUDIENCE, LOCAL_ISSUER } from './jwt-issuer';

/** Where the customer templates live; the runtime serves them as the stack's bucket would. */
export const TEMPLATES_DIR = path.resolve('templates');

/** The environment each function gets from the stack, with local values. */
export function setFunctionEnvironment(config: LocalConfig, url: string, dynamoDbEndpoint: string): void {
  const env = process.env;
  env.AWS_REGION ??= config.region;
  if (config.mode === 'sandbox') {
    // DynamoDB Local accepts any credentials; the sandbox needs none of its own.
    env.AWS_ACCESS_KEY_ID ??= 'local';
    env.AWS_SECRET_ACCESS_KEY ??= 'local';
  }
  env.AWS_ENDPOINT_URL_DYNAMODB = dynamoDbEndpoint;
  env.POWERTOOLS_SERVICE_NAME ??= 'aws-org-connections';
  const { partition, region, trustedAccountId } = config;
  const functions: Environment = {
    TABLE_NAME: config.tableName,
    TRUSTED_ACCOUNT_ID: trustedAccountId,
    PARTITION: partition,
    ALLOWED_PARTITIONS: partition,
    TEMPLATES_DIR,
    TEMPLATES_BASE_URL: localTemplatesBaseUrl(url),
    SYNC_INTERVAL_SECONDS: String(config.scheduleIntervalMs / 1000),
    STATE_MACHINE_ARN: `arn:${partition}:states:${region}:${trustedAccountId}:stateMachine:local-sync`,
    CONNECTIONS_BUS_NAME: 'aws-org-connections-local',
    INGRESS_BUS_ARN: `arn:${partition}:events:${region}:${trustedAccountId}:event-bus/aws-org-connections-ingress-local`,
    AUTH_ISSUER: LOCAL_ISSUER,
    AUTH_AUDIENCE: LOCAL_AUDIENCE,
    AUTH_JWKS_URI: `${url}/local/jwks.json`,
    CLAIM_TENANT: 'tenant_id',
    CLAIM_ORG_IDS: 'org_ids',
    CLAIM_ROLES: 'roles',
    // Any page may call the local API; it answers only requests addressed to this machine's loopback.
    CORS_ALLOWED_ORIGINS: '*',
    // No IAM locally: no alias can prove which consumer calls the broker.
    CONSUMER_IDENTITY: 'none',
    CREDENTIAL_CONSUMERS: JSON.stringify(config.credentialConsumers),
    BROKER_ASSERTION_ISSUER: LOCAL_ISSUER,
    BROKER_ASSERTION_JWKS_URI: `${url}/local/jwks.json`,
    BROKER_ASSERTION_AUDIENCE: LOCAL_BROKER_AUDIENCE,
  };
  Object.assign(env, functions);
}
