import { STSClient } from '@aws-sdk/client-sts';
import { StsCallerIdentity } from '../../lambdas/adapters/aws/sts-caller-identity';
import { makeEnvCheckService } from '../../lambdas/aws-env/service';
import { MOTO_ACCOUNT_ID, type MotoServer, startMoto } from './moto-server';

let moto: MotoServer;
let sts: STSClient;

beforeAll(async () => {
  moto = await startMoto();
  sts = new STSClient(moto.clientConfig);
}, 60_000);

afterAll(async () => {
  sts?.destroy();
  await moto?.stop();
});

describe('StsCallerIdentity against emulated STS', () => {
  it('reads the account and ARN of the credentials', async () => {
    const identity = await new StsCallerIdentity(sts).getCallerIdentity();

    expect(identity.accountId).toBe(MOTO_ACCOUNT_ID);
    expect(identity.arn).toMatch(new RegExp(`^arn:aws:(iam|sts)::${MOTO_ACCOUNT_ID}:`));
  });

  it('lets the env check confirm the trusted account, and flag another one', async () => {
    const identity = new StsCallerIdentity(sts);

    const matching = await makeEnvCheckService({
      identity,
      trustedAccountId: MOTO_ACCOUNT_ID,
      partition: 'aws',
    }).check();
    const other = await makeEnvCheckService({
      identity,
      trustedAccountId: '999999999999',
      partition: 'aws',
    }).check();

    expect(matching).toMatchObject({ configured: true, callerAccountId: MOTO_ACCOUNT_ID });
    expect(other).toMatchObject({ configured: false, problem: { code: 'TRUSTED_ACCOUNT_MISMATCH' } });
  });
});
