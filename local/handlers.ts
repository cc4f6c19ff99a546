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
 * Organizations) are the sandbox's; with `--aws` they are the modules' own SDK adapters.
 */
export async function loadHandlers(config: LocalConfig): Promise<LocalHandlers> {
  const [authorizer, awsEnv, { SandboxSts }] = await Promise.all([
    import('../lambdas/authorizer/handler'),
    import('../lambdas/aws-env/handler'),
    import('../lambdas/adapters/sandbox/sandbox-sts'),
  ]);
  if (config.mode === 'aws') {
    return { authorizer: authorizer.handler, api: { 'aws-env': awsEnv.handler } };
  }
  const sts = new SandboxSts(config.trustedAccountId, config.partition);
  return {
    authorizer: authorizer.handler,
    api: {
      'aws-env': awsEnv.createHandler({
        identity: sts,
        trustedAccountId: config.trustedAccountId,
        partition: config.partition,
      }),
    },
  };
}
