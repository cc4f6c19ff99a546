import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { absent, and, versionIs } from '../../../lambdas/adapters/aws/table/expressions';
import { integrationItem } from '../../../lambdas/adapters/aws/table/items';
import { Transaction, TransactionCancelledError } from '../../../lambdas/adapters/aws/table/transaction';
import { createDocumentClient } from '../../../lambdas/core/dynamodb';

const dynamodb = mockClient(DynamoDBDocumentClient);
const db = createDocumentClient(new DynamoDBClient({ region: 'eu-west-1' }));
const key = { pk: 'TENANT#acme', sk: 'INTEGRATION#1' };

function cancelled(codes: readonly string[]) {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

describe('table transactions', () => {
  beforeEach(() => dynamodb.reset());

  it('names the refused items by their labels, whatever their positions', async () => {
    dynamodb.on(TransactWriteCommand).rejects(cancelled(['None', 'None', 'ConditionalCheckFailed']));
    const transaction = new Transaction('table')
      .update('integration', key, { set: { status: 'connected' } }, integrationItem.holdsLease('run-1'))
      .put('claim acme_prod', { pk: 'TENANT#acme', sk: 'NODE_HANDLE#acme_prod' }, absent)
      .put('claim acme_dev', { pk: 'TENANT#acme', sk: 'NODE_HANDLE#acme_dev' }, absent);

    const error = await transaction.send(db).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TransactionCancelledError);
    expect([...(error as TransactionCancelledError).refused]).toEqual(['claim acme_dev']);
    expect((error as TransactionCancelledError).failed('integration')).toBe(false);
  });

  it('renders named conditions with their own placeholders beside the update', async () => {
    dynamodb.on(TransactWriteCommand).resolves({});

    await new Transaction('table')
      .update(
        'integration',
        key,
        { set: { status: 'deleting' }, remove: ['followUp'] },
        and(versionIs(4), integrationItem.notDeleting),
      )
      .send(db);

    expect(dynamodb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Update: expect.objectContaining({
            UpdateExpression: 'SET #u0 = :u0 REMOVE #u1',
            ConditionExpression: '(version = :expectedVersion) AND (attribute_not_exists(deletingSince))',
            ExpressionAttributeNames: { '#u0': 'status', '#u1': 'followUp' },
            ExpressionAttributeValues: { ':u0': 'deleting', ':expectedVersion': 4 },
          }),
        },
      ],
    });
  });

  it('refuses one label used twice, before anything is sent', () => {
    const transaction = new Transaction('table').put('event 1', { ...key, sk: 'OUTBOX#1' }, absent);

    expect(() => transaction.put('event 1', { ...key, sk: 'OUTBOX#2' }, absent)).toThrow(
      'already has an item labelled event 1',
    );
  });

  it('refuses two conditions that give one placeholder two values', () => {
    expect(() => and(versionIs(1), versionIs(2))).toThrow(':expectedVersion');
  });
});
