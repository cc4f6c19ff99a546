import type { Partition } from '../../schemas/api/common';

/** AWS Organizations has one endpoint per partition, in this region. */
export const ORGANIZATIONS_REGION: Readonly<Record<Partition, string>> = {
  aws: 'us-east-1',
  'aws-us-gov': 'us-gov-west-1',
  'aws-cn': 'cn-northwest-1',
};

/** The AWS console of each partition, for CloudFormation quick-create links. */
export const CONSOLE_HOST: Readonly<Record<Partition, string>> = {
  aws: 'console.aws.amazon.com',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
  'aws-cn': 'console.amazonaws.cn',
};
