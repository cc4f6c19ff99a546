import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import type * as z from 'zod';
import { createDocumentClient } from '../../core/dynamodb';
import { makeMemberCheckService } from '../../health/service';
import type { syncEnvSchema } from '../../sync/env';
import { DEFAULT_SYNC_SETTINGS, makeSyncService, type SyncSettings } from '../../sync/service';
import { DynamoDbHealth } from './dynamodb-health';
import { DynamoDbSync } from './dynamodb-sync';
import { SfnWorkflow } from './sfn-workflow';
import { StsCustomerRoles } from './sts-customer-roles';

type SyncEnv = z.infer<typeof syncEnvSchema>;

function roleRulesOf(env: SyncEnv) {
  return { trustedAccountId: env.TRUSTED_ACCOUNT_ID, allowedPartitions: env.ALLOWED_PARTITIONS };
}

/** The sync service on the AWS adapters, as the functions that run or start syncs build it. */
export function awsSyncService(env: SyncEnv, settings: Partial<Omit<SyncSettings, 'roleRules'>> = {}) {
  const store = new DynamoDbSync(createDocumentClient(), env.TABLE_NAME);
  return makeSyncService({
    state: store,
    mirror: store,
    roles: new StsCustomerRoles(new STSClient({})),
    workflow: new SfnWorkflow(new SFNClient({}), env.STATE_MACHINE_ARN),
    settings: {
      ...DEFAULT_SYNC_SETTINGS,
      ...settings,
      roleRules: roleRulesOf(env),
    },
  });
}

/** The member-role check on the AWS adapters. */
export function awsMemberCheckService(env: SyncEnv) {
  const db = createDocumentClient();
  return makeMemberCheckService({
    state: new DynamoDbSync(db, env.TABLE_NAME),
    store: new DynamoDbHealth(db, env.TABLE_NAME),
    roles: new StsCustomerRoles(new STSClient({})),
    roleRules: roleRulesOf(env),
  });
}
