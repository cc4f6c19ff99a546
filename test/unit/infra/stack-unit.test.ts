import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CredentialsBroker } from '../../../lib/constructs/credentials-broker';
import { StackUnit, UnitStack } from '../../../lib/constructs/stack-unit';
import { SyncEngine } from '../../../lib/constructs/sync-engine';

const app = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const logicalIds = (stack: Stack, type: string) =>
  Object.keys(Template.fromStack(stack).findResources(type)).sort();

describe('units of a stack', () => {
  it('give what they hold the logical ids it had in the stack itself', () => {
    const loose = new Stack(app(), 'Loose');
    new Queue(loose, 'Letters');
    new Queue(new Construct(loose, 'Group'), 'Notes');
    const grouped = new UnitStack(app(), 'Grouped');
    new Queue(new StackUnit(grouped, 'Mail'), 'Letters');
    new Queue(new Construct(new StackUnit(grouped, 'Post'), 'Group'), 'Notes');

    expect(logicalIds(grouped, 'AWS::SQS::Queue')).toEqual(logicalIds(loose, 'AWS::SQS::Queue'));
  });

  it('keep the ids of plain constructs on the path', () => {
    const stack = new UnitStack(app(), 'Plain');
    new Queue(new Construct(stack, 'Group'), 'Letters');

    expect(logicalIds(stack, 'AWS::SQS::Queue')).toEqual([
      expect.stringMatching(/^GroupLetters[0-9A-F]{8}$/),
    ]);
  });

  it('refuse two resources that would share a logical id', () => {
    const stack = new UnitStack(app(), 'Clash');
    new Queue(new StackUnit(stack, 'Mail'), 'Letters');
    new Queue(new StackUnit(stack, 'Post'), 'Letters');

    expect(() => Template.fromStack(stack)).toThrow(/already contains 'Letters[0-9A-F]{8}'/);
  });
});

describe('unit props', () => {
  const parts = () => {
    const stack = new UnitStack(app(), 'Probe');
    return {
      stack,
      table: new TableV2(stack, 'Table', {
        partitionKey: { name: 'pk', type: AttributeType.STRING },
        dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
      }),
      alarmTopic: new Topic(stack, 'Alarms'),
      logRetention: RetentionDays.ONE_DAY,
    };
  };

  it('refuse a broker whose consumers need assertions that nobody signs', () => {
    const { stack, ...shared } = parts();
    const consumers = [
      { name: 'query-worker', principalArn: 'arn:aws:iam::111122223333:role/query-worker', access: ['read'] },
    ] as const;

    expect(
      () =>
        new CredentialsBroker(stack, 'Broker', {
          ...shared,
          environment: {},
          consumers: consumers.map((consumer) => ({
            ...consumer,
            access: [...consumer.access],
            assertion: 'required',
          })),
          stsBudget: { rate: 10, burst: 20 },
        }),
    ).toThrow(/needs workspace assertions/);
  });

  it('refuse a sync engine that may use none, or more than all, of the Organizations rate', () => {
    for (const orgApiRateFraction of [0, 1.5]) {
      const { stack, ...shared } = parts();
      expect(
        () =>
          new SyncEngine(stack, 'SyncEngine', {
            ...shared,
            ingressBus: new EventBus(stack, 'Ingress'),
            stateMachineName: 'probe-sync',
            environment: {},
            syncInterval: Duration.hours(6),
            memberCheckInterval: Duration.hours(24),
            maxConcurrentSyncs: 10,
            orgApiRateFraction,
            concurrency: { syncWorkers: 10, router: 5 },
          }),
      ).toThrow(/orgApiRateFraction must be above 0 and at most 1/);
    }
  });
});
