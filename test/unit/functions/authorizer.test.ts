import type { TokenVerifier } from '../../../lambdas/authorizer/service';
import { derivedUsageKeys, usageKeyOf } from '../../../lambdas/authorizer/usage-keys';
import { UnauthenticatedError } from '../../../lambdas/core/errors';
import { tenantFromAuthorizer } from '../../../lambdas/core/tenant-context';
import { createAuthorizerHandler, wholeStage } from '../../../lambdas/functions/authorizer';
import { lambdaContext, TENANT_A } from '../../fixtures/api-gateway';

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/live/GET/v1/aws/env';

describe('authorizer handler', () => {
  it("allows the whole stage, passes the tenant as context that the API reads back, and names the tenant's usage key", async () => {
    const verify: TokenVerifier = async (token) => {
      if (token !== 'good') throw new UnauthenticatedError();
      return TENANT_A;
    };
    const handler = createAuthorizerHandler(verify, derivedUsageKeys);

    const result = await handler(
      { type: 'TOKEN', authorizationToken: 'Bearer good', methodArn: METHOD_ARN },
      lambdaContext,
    );

    expect(result.principalId).toBe('user-1');
    expect(result.policyDocument.Statement).toEqual([
      {
        Action: 'execute-api:Invoke',
        Effect: 'Allow',
        Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/live/*',
      },
    ]);
    expect(tenantFromAuthorizer(result.context)).toEqual(TENANT_A);
    expect(result.usageIdentifierKey).toBe(usageKeyOf(TENANT_A.tenantId));
  });

  it('fails, not refuses, when the usage key cannot be made: API Gateway answers 500, not 401', async () => {
    const handler = createAuthorizerHandler(async () => TENANT_A, {
      keyFor: async () => {
        throw new Error('TooManyRequestsException');
      },
    });

    await expect(
      handler({ type: 'TOKEN', authorizationToken: 'Bearer good', methodArn: METHOD_ARN }, lambdaContext),
    ).rejects.toThrow('TooManyRequestsException');
  });

  it('throws Unauthorized, which API Gateway answers with 401, when the token is refused', async () => {
    const handler = createAuthorizerHandler(async () => {
      throw new UnauthenticatedError();
    }, derivedUsageKeys);

    await expect(
      handler({ type: 'TOKEN', authorizationToken: 'Bearer bad', methodArn: METHOD_ARN }, lambdaContext),
    ).rejects.toThrow(/^Unauthorized$/);
  });
});

describe('wholeStage', () => {
  it('keeps the API and stage of a method ARN in any partition', () => {
    expect(wholeStage('arn:aws-cn:execute-api:cn-north-1:123456789012:api9/prod/POST/v1/integrations')).toBe(
      'arn:aws-cn:execute-api:cn-north-1:123456789012:api9/prod/*',
    );
  });
});
