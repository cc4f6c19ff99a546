import { callerOf } from '../../../lambdas/credentials/service';

const FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:OrgConnections-Stateless-CredentialsBroker';
const consumers = ['query-worker', 'scanner'];

describe("the broker's caller", () => {
  it('is the consumer whose alias was invoked', () => {
    expect(callerOf({ invokedFunctionArn: `${FUNCTION}:scanner` }, 'alias', consumers)).toEqual({
      verified: true,
      consumer: 'scanner',
    });
  });

  it.each([
    ['the unqualified function', FUNCTION],
    ['$LATEST', `${FUNCTION}:$LATEST`],
    ['a version', `${FUNCTION}:7`],
    ['an alias that is no configured consumer', `${FUNCTION}:admin`],
  ])('is nobody for %s', (_, invokedFunctionArn) => {
    expect(callerOf({ invokedFunctionArn }, 'alias', consumers)).toEqual({ verified: true, consumer: null });
  });

  it('is unproven where there is no IAM', () => {
    expect(callerOf({ invokedFunctionArn: FUNCTION }, 'none', [])).toEqual({ verified: false });
  });
});
