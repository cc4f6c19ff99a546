import { STSClient } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tenantScope } from '../adapters/aws/tenant-table';
import type { TenantScope } from '../core/tenant-context';
import { traced } from '../core/tracer';

/**
 * Services composed for each tenant on a table client that may touch only that tenant's items:
 * the way every API function and the broker reach the table. `roleArn` is the tenant table
 * role; without one (DynamoDB Local checks no IAM), every tenant shares one composition.
 */
export function perTenant<T>(
  compose: (db: DynamoDBDocumentClient) => T,
  roleArn: string | undefined,
  sts: STSClient = traced(new STSClient({})),
): TenantScope<T> {
  return tenantScope(compose, { roleArn, sts });
}
