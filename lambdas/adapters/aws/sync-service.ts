import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import type { z } from 'zod';
import { createDocumentClient } from '../../core/dynamodb';
import type { syncEnvSchema } from '../../sync/env';
import { DEFAULT_SYNC_SETTINGS, makeSyncService, type SyncSettings } from '../../sync/service';
import { DynamoDbSync } from './dynamodb-sync';
import { SfnWorkflow } from './sfn-workflow';
import { StsCustomerRoles } from './sts-customer-roles';

/** The sync service on the AWS adapters, as the functions that run or start syncs build it. */
export function awsSyncService(
  env: z.infer<typeof syncEnvSchema>,
  settings: Partial<Omit<SyncSettings, 'roleRules'>> = {},
) {
  const store = new DynamoDbSync(createDocumentClient(), env.TABLE_NAME);
  return makeSyncService({
    state: store,
    mirror: store,
    roles: new StsCustomerRoles(new STSClient({})),
    workflow: new SfnWorkflow(new SFNClient({}), env.STATE_MACHINE_ARN),
    settings: {
      ...DEFAULT_SYNC_SETTINGS,
      ...settings,
      roleRules: { trustedAccountId: env.TRUSTED_ACCOUNT_ID, allowedPartitions: env.ALLOWED_PARTITIONS },
    },
  });
}
