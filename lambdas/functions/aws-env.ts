import { envSchema } from '../../schemas/environment';
import { type EnvCheckDeps, makeEnvCheckService } from '../aws-env/service';
import { envCheckAdapters } from '../composition/edges';
import { loadEnv } from '../core/env';
import { httpHandler } from '../core/http';

/** GET /v1/aws/env */
export function createHandler(deps: EnvCheckDeps) {
  const service = makeEnvCheckService(deps);
  return httpHandler({}, async () => ({ status: 200, body: await service.check() }));
}

const env = loadEnv(envSchema('TRUSTED_ACCOUNT_ID', 'PARTITION'));

export const handler = createHandler(
  envCheckAdapters({ trustedAccountId: env.TRUSTED_ACCOUNT_ID, partition: env.PARTITION }),
);
