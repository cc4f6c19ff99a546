import {
  APIGatewayClient,
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  GetApiKeysCommand,
  GetUsagePlansCommand,
} from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { ApiGatewayUsageKeys, usageKeyOf } from '../../../lambdas/authorizer/usage-keys';

const apiGateway = mockClient(APIGatewayClient);
const PLAN = 'OrgConnections-Stateless-default-tier';

beforeEach(() => {
  apiGateway.reset();
  apiGateway
    .on(GetUsagePlansCommand)
    .resolvesOnce({ items: [{ id: 'other', name: 'someone-elses' }], position: 'p2' })
    .resolves({ items: [{ id: 'plan-1', name: PLAN }] });
  apiGateway.on(CreateUsagePlanKeyCommand).resolves({});
});

describe('usage keys', () => {
  it('derives a value of 20 characters at least, one per tenant', () => {
    expect(usageKeyOf('acme').length).toBeGreaterThanOrEqual(20);
    expect(usageKeyOf('acme')).toBe(usageKeyOf('acme'));
    expect(usageKeyOf('acme')).not.toBe(usageKeyOf('acme2'));
  });

  it("makes a new tenant's key and puts it in the plan found by name, once per instance", async () => {
    apiGateway.on(GetApiKeysCommand).resolves({ items: [] });
    apiGateway.on(CreateApiKeyCommand).resolves({ id: 'key-1' });
    const keys = new ApiGatewayUsageKeys(new APIGatewayClient({}), PLAN);

    const [first, second] = await Promise.all([keys.keyFor('acme'), keys.keyFor('acme')]);
    await keys.keyFor('acme');

    expect([first, second]).toEqual([usageKeyOf('acme'), usageKeyOf('acme')]);
    expect(apiGateway).toHaveReceivedCommandTimes(CreateApiKeyCommand, 1);
    expect(apiGateway).toHaveReceivedCommandWith(CreateApiKeyCommand, {
      name: 'tenant-acme',
      value: usageKeyOf('acme'),
      enabled: true,
    });
    expect(apiGateway).toHaveReceivedCommandWith(CreateUsagePlanKeyCommand, {
      usagePlanId: 'plan-1',
      keyId: 'key-1',
      keyType: 'API_KEY',
    });
  });

  it("reuses a tenant's key another instance made, and takes a key already in the plan as done", async () => {
    apiGateway.on(GetApiKeysCommand).resolves({ items: [{ id: 'key-7', name: 'tenant-acme' }] });
    apiGateway
      .on(CreateUsagePlanKeyCommand)
      .rejects(new ConflictException({ message: 'already a member', $metadata: {} }));
    const keys = new ApiGatewayUsageKeys(new APIGatewayClient({}), PLAN);

    await expect(keys.keyFor('acme')).resolves.toBe(usageKeyOf('acme'));
    expect(apiGateway).toHaveReceivedCommandTimes(CreateApiKeyCommand, 0);
  });

  it('forgets a failure, so the next request tries again', async () => {
    apiGateway.on(GetApiKeysCommand).rejectsOnce(new Error('throttled')).resolves({ items: [] });
    apiGateway.on(CreateApiKeyCommand).resolves({ id: 'key-1' });
    const keys = new ApiGatewayUsageKeys(new APIGatewayClient({}), PLAN);

    await expect(keys.keyFor('acme')).rejects.toThrow('throttled');
    await expect(keys.keyFor('acme')).resolves.toBe(usageKeyOf('acme'));
  });
});
