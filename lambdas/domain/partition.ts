import type { Partition } from '../../schemas/api/common';

/** AWS Organizations has one endpoint per partition, in this region. */
export const ORGANIZATIONS_REGION: Readonly<Record<Partition, string>> = {
  aws: 'us-east-1',
  'aws-us-gov': 'us-gov-west-1',
  'aws-cn': 'cn-northwest-1',
};
