import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbConnectionDirectory } from '../adapters/aws/dynamodb-connection-directory';
import { DynamoDbRateBudget, STS_BUDGET } from '../adapters/aws/dynamodb-rate-budget';
import type { RateLimit } from '../core/token-bucket';
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
