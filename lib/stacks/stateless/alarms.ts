import type { Stack } from 'aws-cdk-lib';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';

/** Where every alarm of the stack goes; an address in the config subscribes to it. */
export function alarmsTopic(stack: Stack, email: string | undefined): Topic {
  const topic = new Topic(stack, 'Alarms', {
    displayName: 'aws-org-connections alarms',
    enforceSSL: true,
    masterKey: Alias.fromAliasName(stack, 'SnsKey', 'alias/aws/sns'),
  });
  if (email) topic.addSubscription(new EmailSubscription(email));
  return topic;
}
