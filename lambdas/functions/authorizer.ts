import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { createRemoteJWKSet } from 'jose';
import { envSchema } from '../../schemas/environment';
import { bearerToken, makeTokenVerifier, type TokenVerifier } from '../authorizer/service';
import { ApiGatewayUsageKeys, derivedUsageKeys, type UsageKeys } from '../authorizer/usage-keys';
import { loadEnv } from '../core/env';
import { lambdaHandler } from '../core/lambda-handler';
import { logger } from '../core/logger';
import { toAuthorizerContext } from '../core/tenant-context';
import { traced } from '../core/tracer';

/**
 * API Gateway's TOKEN authorizer. It answers Allow with the verified tenant as context and the
 * tenant's usage key (its requests count against the tenant's limits), or throws
 * `Unauthorized`, the one message API Gateway turns into a 401. A usage key it cannot make
 * throws otherwise: API Gateway answers 500, and the next request tries again.
 */
export function createAuthorizerHandler(verify: TokenVerifier, usageKeys: UsageKeys) {
  const authorize = async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    let tenant: Awaited<ReturnType<TokenVerifier>>;
    try {
      tenant = await verify(bearerToken(event.authorizationToken));
    } catch (error: unknown) {
      logger.info('token refused', { reason: error instanceof Error ? error.message : 'unknown' });
      throw new Error('Unauthorized');
    }
    logger.info('token accepted', { tenantId: tenant.tenantId, subject: tenant.subject });
    return {
      principalId: tenant.subject,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: wholeStage(event.methodArn) }],
      },
      context: toAuthorizerContext(tenant),
      usageIdentifierKey: await usageKeys.keyFor(tenant.tenantId),
    };
  };
  return lambdaHandler<APIGatewayTokenAuthorizerEvent, APIGatewayAuthorizerResult>(authorize);
}

/**
 * The decision is cached per token for every route of the stage, so the policy must cover the
 * stage, not only the method that was called first.
 */
export function wholeStage(methodArn: string): string {
  // arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/<method>/<path>
  const [api, stage] = methodArn.split('/');
  return `${api}/${stage}/*`;
}

const env = loadEnv(
  envSchema(
    'AUTH_ISSUER',
    'AUTH_JWKS_URI',
    'AUTH_AUDIENCE',
    'CLAIM_TENANT',
    'CLAIM_ORG_IDS',
    'CLAIM_ROLES',
    'USAGE_PLAN_NAME',
  ),
);

export const handler = createAuthorizerHandler(
  makeTokenVerifier({
    key: createRemoteJWKSet(new URL(env.AUTH_JWKS_URI)),
    issuer: env.AUTH_ISSUER,
    audience: env.AUTH_AUDIENCE,
    claims: { tenant: env.CLAIM_TENANT, orgIds: env.CLAIM_ORG_IDS, roles: env.CLAIM_ROLES },
  }),
  env.USAGE_PLAN_NAME
    ? new ApiGatewayUsageKeys(traced(new APIGatewayClient({})), env.USAGE_PLAN_NAME)
    : derivedUsageKeys,
);
