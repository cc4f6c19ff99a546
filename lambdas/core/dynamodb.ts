import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { traced } from './tracer';

/** One document client per module: created at load, reused by every invocation, traced. */
export function createDocumentClient(client = new DynamoDBClient({})): DynamoDBDocumentClient {
  return traced(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }));
}
