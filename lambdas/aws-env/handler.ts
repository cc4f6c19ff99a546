import { STSClient } from '@aws-sdk/client-sts';
import * as z from 'zod';
import { StsCallerIdentity } from '../adapters/aws/sts-caller-identity';
import { accountIdSchema, loadEnv, partitionSchema } from '../core/env';
import { httpHandler } from '../core/http';
import { type EnvCheckDeps, makeEnvCheckService } from './service';

/** GET /v1/aws/env */
export function createHandler(deps: EnvCheckDeps) {
  const service = makeEnvCheckService(deps);
  return httpHandler({}, async () => ({ status: 200, body: await service.check() }));
}

const env = loadEnv(z.object({ TRUSTED_ACCOUNT_ID: accountIdSchema, PARTITION: partitionSchema }));

export const handler = createHandler({
  identity: new StsCallerIdentity(new STSClient({})),
  trustedAccountId: env.TRUSTED_ACCOUNT_ID,
  partition: env.PARTITION,
});
