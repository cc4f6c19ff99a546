import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbConnectionDirectory } from '../adapters/aws/dynamodb-connection-directory';
import { DynamoDbRateBudget, STS_BUDGET } from '../adapters/aws/dynamodb-rate-budget';
import type { RateLimit } from '../core/token-bucket';
import type { SessionIssuerPort } from '../credentials/ports';
import { type CredentialsBrokerDeps, makeCredentialsBroker } from '../credentials/service';
import type { RoleArnRules } from '../domain/role-arn';

export interface CredentialsWiring {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly issuer: SessionIssuerPort;
  readonly roleRules: RoleArnRules;
  /** Each tenant's share of the platform account's STS quota. */
  readonly stsBudget: RateLimit;
  readonly metrics: CredentialsBrokerDeps['metrics'];
  readonly clock?: () => number;
}

/** The credentials broker on the table's connection directory and STS budget. */
export function composeCredentialsBroker(wiring: CredentialsWiring) {
  const { db, tableName } = wiring;
  return makeCredentialsBroker({
    directory: new DynamoDbConnectionDirectory(db, tableName),
    issuer: wiring.issuer,
    budget: new DynamoDbRateBudget(db, tableName, STS_BUDGET, wiring.stsBudget, wiring.clock),
    roleRules: wiring.roleRules,
    metrics: wiring.metrics,
    clock: wiring.clock,
  });
}
