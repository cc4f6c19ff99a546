import { createAuthorizerHandler, wholeStage } from '../../../lambdas/authorizer/handler';
import type { TokenVerifier } from '../../../lambdas/authorizer/service';
import { UnauthenticatedError } from '../../../lambdas/core/errors';
import { tenantFromAuthorizer } from '../../../lambdas/core/tenant-context';
import { lambdaContext, TENANT_A } from '../../fixtures/api-gateway';

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/live/GET/v1/aws/env';

describe('authorizer handler', () => {
  it('allows the whole stage and passes the tenant as context that the API reads back', async () => {
    const verify: TokenVerifier = async (token) => {
      if (token !== 'good') throw new UnauthenticatedError();
      return TENANT_A;
    };
    const handler = createAuthorizerHandler(verify);

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
  });

  it('throws Unauthorized, which API Gateway answers with 401, when the token is refused', async () => {
    const handler = createAuthorizerHandler(async () => {
      throw new UnauthenticatedError();
    });

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
