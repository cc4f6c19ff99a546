import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ITEM_KEYS } from '../../../schemas/table';
import { decodeCursor, encodeCursor } from './cursor';

/** One page of a tenant's items under a sort-key prefix; the cursor holds only the sort key. */
export async function queryPage(
  db: DynamoDBDocumentClient,
  tableName: string,
  request: {
    readonly tenantId: string;
    readonly prefix: string;
    readonly limit: number;
    readonly cursor?: string;
    /** @default true: in key order. */
    readonly forward?: boolean;
  },
) {
  const { tenantId, prefix, limit, cursor, forward = true } = request;
  const pk = ITEM_KEYS.tenant(tenantId);
  const { Items = [], LastEvaluatedKey } = await db.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      ScanIndexForward: forward,
      Limit: limit,
      ...(cursor === undefined ? {} : { ExclusiveStartKey: { pk, sk: decodeCursor(cursor, prefix) } }),
    }),
  );
  return { items: Items, nextCursor: LastEvaluatedKey ? encodeCursor(String(LastEvaluatedKey.sk)) : null };
}
