import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledgeNag } from './nag';

/** A dead-letter queue, `<id>DeadLetters`, that raises an alarm as soon as it holds a message. */
export function alarmedDeadLetters(
  scope: Construct,
  id: string,
  alarmTopic: ITopic,
  text: { readonly of: string; readonly alarm: string },
): Queue {
  const queue = new Queue(scope, `${id}DeadLetters`, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledgeNag(queue, 'SQS3', `This queue is itself the dead-letter queue of ${text.of}.`);
  new Alarm(scope, `${id}DeadLettersAlarm`, {
    alarmDescription: text.alarm,
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
    threshold: 0,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  }).addAlarmAction(new SnsAction(alarmTopic));
  return queue;
}
