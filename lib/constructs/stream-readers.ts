import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { EventSourceMapping, FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { OUTBOX_BATCHING } from '../../lambdas/publisher/service';
import { handlerEntry } from '../../lambdas/routes';
import { ITEM_KEYS } from '../../schemas/table';
import { alarmedDeadLetters } from './dead-letters';
import { tableAccess } from './grants';
import { acknowledgeNag } from './nag';
import { ServiceFunction, type ServiceFunctionProps } from './service-function';
import { StackUnit } from './stack-unit';

/** What every reader of the table's stream needs. */
export interface StreamReaderProps {
  /** The table, with its stream. */
  readonly table: ITableV2;
  readonly logRetention: RetentionDays;
  /** Receives the reader's alarms: its lag and its dead letters. */
  readonly alarmTopic: ITopic;
}

/** Publishes the outbox's events, as the table's stream hands them over, to the connections bus. */
export class OutboxPublisher extends StackUnit {
  readonly function: ServiceFunction;

  constructor(
    scope: Construct,
    id: string,
    props: StreamReaderProps & { readonly connectionsBus: IEventBus },
  ) {
    super(scope, id);
    this.function = streamReader(this, 'OutboxPublisher', {
      ...props,
      entry: handlerEntry('publisher'),
      description: 'Outbox: publishes connection-change events from the outbox to the connections bus',
      environment: { CONNECTIONS_BUS_NAME: props.connectionsBus.eventBusName },
      // Outbox INSERTs only: the function never sees mirror writes.
      filter: FilterCriteria.filter({
        eventName: FilterRule.isEqual('INSERT'),
        dynamodb: { Keys: { sk: { S: FilterRule.beginsWith(ITEM_KEYS.outboxPrefix) } } },
      }),
      deadLetters: {
        id: 'Outbox',
        of: 'the outbox stream',
        alarm:
          "Connection-change events could not be published. The queue's message names the stream's shard and sequence range, not the events: find the integrations and sequence numbers in the publisher's logs, and publish them again with npm run replay-events (outbox items are kept 14 days).",
      },
    });
    props.connectionsBus.grantPutEventsTo(this.function.function);
  }
}

/** Keeps the workspaces' read model from the mirror's connection changes. */
export class ShareProjector extends StackUnit {
  readonly function: ServiceFunction;

  constructor(scope: Construct, id: string, props: StreamReaderProps) {
    super(scope, id);
    this.function = streamReader(this, 'ShareProjector', {
      ...props,
      entry: handlerEntry('shares'),
      description: "Shares: keeps the workspaces' read model from the mirror's connection changes",
      environment: { TABLE_NAME: props.table.tableName },
      // Mirror items only; the function skips folders itself.
      filter: FilterCriteria.filter({
        dynamodb: { Keys: { sk: { S: FilterRule.beginsWith('MIRROR#') } } },
      }),
      deadLetters: {
        id: 'Shares',
        of: "the workspaces' read model",
        alarm: "Shares with workspaces could not be recorded; replay the queue's records.",
      },
    });
    // GetItem: the integration's scope. BatchWriteItem: the share items.
    this.function.role.addToPolicy(tableAccess(props.table, ['GetItem', 'BatchWriteItem']));
  }
}

/**
 * A reader of the table's stream, filtered by its event source mapping. A batch that keeps
 * failing is split to find the bad record and, after its retries, lands in a queue that
 * raises an alarm.
 */
function streamReader(
  scope: Construct,
  id: string,
  options: StreamReaderProps &
    Omit<ServiceFunctionProps, 'errorsAreExpected'> & {
      readonly filter: Record<string, unknown>;
      readonly deadLetters: { readonly id: string; readonly of: string; readonly alarm: string };
    },
): ServiceFunction {
  const { table, filter, deadLetters: deadLetterText, ...functionProps } = options;
  const fn = new ServiceFunction(scope, id, {
    ...functionProps,
    errorsAreExpected:
      'A failed batch is retried from the stream. Lasting trouble shows as the age of the oldest record and in the dead-letter queue, and each alarms.',
  });
  const streamArn = table.tableStreamArn;
  if (!streamArn) throw new Error('the table needs its stream');
  fn.role.addToPolicy(
    new PolicyStatement({
      actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
      resources: [streamArn],
    }),
  );
  fn.role.addToPolicy(new PolicyStatement({ actions: ['dynamodb:ListStreams'], resources: ['*'] }));
  acknowledgeNag(fn.role, 'IAM5[Resource::*]', 'dynamodb:ListStreams supports no resource-level permission.');
  const deadLetters = alarmedDeadLetters(scope, deadLetterText.id, options.alarmTopic, deadLetterText);
  new EventSourceMapping(scope, `${id}Stream`, {
    target: fn.function,
    eventSourceArn: streamArn,
    startingPosition: StartingPosition.TRIM_HORIZON,
    batchSize: OUTBOX_BATCHING.batchSize,
    maxBatchingWindow: Duration.seconds(OUTBOX_BATCHING.windowSeconds),
    bisectBatchOnError: true,
    retryAttempts: 10,
    onFailure: new SqsDlq(deadLetters),
    filters: [filter],
  });
  deadLetters.grantSendMessages(fn.function);
  new Alarm(scope, `${id}IteratorAgeAlarm`, {
    alarmDescription: `${deadLetterText.of}: the oldest record has waited over ${STREAM_LAG_ALARM_MINUTES} minutes for 15 minutes. Read the function's errors; the stream keeps records for 24 hours.`,
    metric: fn.function.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(5) }),
    threshold: STREAM_LAG_ALARM_MINUTES * 60_000,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 3,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  }).addAlarmAction(new SnsAction(options.alarmTopic));
  return fn;
}

/**
 * A healthy reader is seconds behind; its retries (ten, halving the batch) take minutes. Over this
 * for three periods running, it is stuck.
 */
const STREAM_LAG_ALARM_MINUTES = 10;
