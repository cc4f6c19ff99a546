import {
  CreateTableCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { tableDefinition } from '../local/dynamodb-local';

/** Enough transactions for DynamoDB Local's first, slow, ones (about 3 times the steady cost) to pass. */
const TRANSACTIONS = 150;
const ITEMS_PER_TRANSACTION = 24;

/**
 * Brings a fresh DynamoDB Local to its steady speed before a measurement: its JVM compiles the
 * write path during the first hundred or so transactions. The throwaway table has no stream,
 * because stream records kept by one table slow every later transaction of the process (by the
 * third table of 3,450 items, a transaction cost 8 times as much), and is deleted afterwards.
 */
export async function warmUpDynamoDbLocal(client: DynamoDBClient): Promise<void> {
  const { StreamSpecification: _none, ...definition } = tableDefinition('bench-warm-up');
  await client.send(new CreateTableCommand(definition));
  try {
    for (let transaction = 0; transaction < TRANSACTIONS; transaction += 1) {
      await client.send(
        new TransactWriteItemsCommand({
          TransactItems: Array.from({ length: ITEMS_PER_TRANSACTION }, (_, item) => ({
            Put: {
              TableName: definition.TableName,
              Item: {
                pk: { S: 'WARM-UP' },
                sk: { S: `${transaction}#${item}` },
                body: { S: 'x'.repeat(1000) },
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          })),
        }),
      );
    }
  } finally {
    await client.send(new DeleteTableCommand({ TableName: definition.TableName }));
  }
}
