import type { STSClient } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createRemoteJWKSet } from 'jose';
import type { EnvValues } from '../../schemas/environment';
import { DynamoDbConnectionDirectory } from '../adapters/aws/dynamodb-connection-directory';
import { DynamoDbRateBudget, STS_BUDGET } from '../adapters/aws/dynamodb-rate-budget';
import { StsSessionIssuer } from '../adapters/aws/sts-session-issuer';
import type { RateLimit } from '../core/token-bucket';
import { type AssertionVerifier, makeAssertionVerifier } from '../credentials/assertion';
import type { SessionIssuerPort } from '../credentials/ports';
import type { BrokerTables } from '../credentials/service';

/**
 * The table as the broker reads it: the connection directory, and the tenants' STS budgets
 * (`stsBudget` is each tenant's share of the platform account's STS quota).
 */
export function brokerTables(
  db: DynamoDBDocumentClient,
  tableName: string,
  stsBudget: RateLimit,
  clock?: () => number,
): BrokerTables {
  return {
    directory: new DynamoDbConnectionDirectory(db, tableName),
    budget: new DynamoDbRateBudget(db, tableName, STS_BUDGET, stsBudget, clock),
  };
}

/** The broker's own STS, that assumes the customers' member roles. */
export function brokerIssuer(sts: STSClient): SessionIssuerPort {
  return new StsSessionIssuer(sts);
}

type AssertionSettings = Partial<
  EnvValues<'BROKER_ASSERTION_ISSUER' | 'BROKER_ASSERTION_JWKS_URI' | 'BROKER_ASSERTION_AUDIENCE'>
>;

/**
 * The verifier of the platform's workspace assertions, or null when no issuer is configured. The
 * issuer's key set is fetched on first use, then cached and refreshed as the authorizer's is.
 */
export function assertionVerifierOf(settings: AssertionSettings): AssertionVerifier | null {
  const issuer = settings.BROKER_ASSERTION_ISSUER;
  const jwksUri = settings.BROKER_ASSERTION_JWKS_URI;
  const audience = settings.BROKER_ASSERTION_AUDIENCE;
  if (!issuer || !jwksUri || !audience) return null;
  return makeAssertionVerifier({ key: createRemoteJWKSet(new URL(jwksUri)), issuer, audience });
}
