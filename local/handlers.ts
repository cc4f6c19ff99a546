import { DynamoDbExternalIds } from '../lambdas/adapters/aws/dynamodb-external-ids';
import { DynamoDbIntegrations } from '../lambdas/adapters/aws/dynamodb-integrations';
import { SandboxCustomerRoles } from '../lambdas/adapters/sandbox/sandbox-customer-roles';
import type { SandboxOrganization } from '../lambdas/adapters/sandbox/sandbox-organization';
import { SandboxSts } from '../lambdas/adapters/sandbox/sandbox-sts';
import { createDocumentClient } from '../lambdas/core/dynamodb';
import type { ApiFunctionName } from '../lambdas/routes';
import type { ProxyHandler, TokenAuthorizer } from './api-gateway';
import type { LocalConfig } from './config';

export interface LocalHandlers {
  readonly authorizer: TokenAuthorizer;
  readonly api: Readonly<Record<ApiFunctionName, ProxyHandler>>;
}

/**
 * Loads the same handler modules that Lambda runs. They read their environment at import, so
 * this runs only after the runtime has set it. In sandbox mode the outside systems (STS,
 * Organizations) are the sandbox's and the table is DynamoDB Local; with `--aws` every module
 * keeps its own SDK adapters.
 */
export async function loadHandlers(
  config: LocalConfig,
  sandbox: SandboxOrganization | undefined,
): Promise<LocalHandlers> {
  const [authorizer, awsEnv, onboarding, integrations, openapi] = await Promise.all([
    import('../lambdas/authorizer/handler'),
    import('../lambdas/aws-env/handler'),
    import('../lambdas/onboarding/handler'),
    import('../lambdas/integrations/handler'),
    import('../lambdas/openapi/handler'),
  ]);
  if (config.mode === 'aws' || !sandbox) {
    return {
      authorizer: authorizer.handler,
      api: {
        'aws-env': awsEnv.handler,
        onboarding: onboarding.handler,
        integrations: integrations.handler,
        openapi: openapi.handler,
      },
    };
  }
  const { trustedAccountId, partition, tableName } = config;
  const db = createDocumentClient();
  return {
    authorizer: authorizer.handler,
    api: {
      'aws-env': awsEnv.createHandler({
        identity: new SandboxSts(trustedAccountId, partition),
        trustedAccountId,
        partition,
      }),
      onboarding: onboarding.handler,
      integrations: integrations.createHandler({
        store: new DynamoDbIntegrations(db, tableName),
        externalIds: new DynamoDbExternalIds(db, tableName),
        roles: new SandboxCustomerRoles(sandbox, trustedAccountId),
        rules: { trustedAccountId, allowedPartitions: [partition] },
      }),
      openapi: openapi.handler,
    },
  };
}
