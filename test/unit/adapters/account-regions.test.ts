import { AccountClient, ListRegionsCommand } from '@aws-sdk/client-account';
import { mockClient } from 'aws-sdk-client-mock';
import { SdkRoleSession } from '../../../lambdas/adapters/aws/sts-role-session';
import { withRetries } from '../../../lambdas/core/retry';
import { readEnabledRegions } from '../../../lambdas/domain/connection-regions';
import { parseRoleArn } from '../../../lambdas/domain/role-arn';
import { virtualClock } from '../../fixtures/sync-world';

const account = mockClient(AccountClient);
const role = parseRoleArn('arn:aws:iam::210000005065:role/OrgConnectionsReadOnly', {
  trustedAccountId: '999888777666',
  allowedPartitions: ['aws'],
});
const credentials = { accessKeyId: 'ASIA', secretAccessKey: 'secret', sessionToken: 'token' };
const session = () => new SdkRoleSession(role, credentials, 'us-east-1', 'us-east-1');
const retried = <T>(call: () => Promise<T>) =>
  withRetries(call, { attempts: 4, baseMs: 500, capMs: 8_000 }, virtualClock(), () => 0.5);
const awsError = (name: string, status = 400) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

beforeEach(() => account.reset());

describe("the member role's enabled regions (account:ListRegions)", () => {
  it('asks for enabled and enabled-by-default regions of its own account, every page, sorted', async () => {
    account
      .on(ListRegionsCommand)
      .resolvesOnce({
        Regions: [{ RegionName: 'us-west-2' }, { RegionName: 'eu-south-1' }],
        NextToken: 'next',
      })
      .resolvesOnce({ Regions: [{ RegionName: 'us-east-1' }] });

    expect(await readEnabledRegions(session(), retried)).toEqual(['eu-south-1', 'us-east-1', 'us-west-2']);
    const [first] = account.commandCalls(ListRegionsCommand);
    expect(first?.args[0].input).toMatchObject({
      RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'],
      MaxResults: 50,
    });
    expect(first?.args[0].input).not.toHaveProperty('AccountId');
  });

  it('retries throttling, and gives up on knowing (null) after a denial or what cannot change, asking once', async () => {
    account
      .on(ListRegionsCommand)
      .rejectsOnce(awsError('TooManyRequestsException', 429))
      .resolves({ Regions: [{ RegionName: 'us-east-1' }] });
    expect(await readEnabledRegions(session(), retried)).toEqual(['us-east-1']);
    expect(account.commandCalls(ListRegionsCommand)).toHaveLength(2);

    account.reset();
    account.on(ListRegionsCommand).resolves({ Regions: [] });
    expect(await readEnabledRegions(session(), retried)).toBeNull();

    for (const refusal of [
      awsError('AccessDeniedException', 403),
      awsError('ValidationException'),
      awsError('NotImplemented', 501),
    ]) {
      account.reset();
      account.on(ListRegionsCommand).rejects(refusal);

      expect(await readEnabledRegions(session(), retried)).toBeNull();
      expect(account.commandCalls(ListRegionsCommand)).toHaveLength(1);
    }
  });
});
