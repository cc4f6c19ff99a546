import { STSClient } from '@aws-sdk/client-sts';
import { StsCustomerRoles } from '../lambdas/adapters/aws/sts-customer-roles';
import { StsSessionIssuer } from '../lambdas/adapters/aws/sts-session-issuer';
import { SandboxCustomerRoles } from '../lambdas/adapters/sandbox/sandbox-customer-roles';
import type { SandboxOrganization } from '../lambdas/adapters/sandbox/sandbox-organization';
import { SandboxSts } from '../lambdas/adapters/sandbox/sandbox-sts';
import { assertionVerifierOf, brokerTables } from '../lambdas/composition/credentials';
import { shareProjectorAdapters } from '../lambdas/composition/edges';
import { composeIntegrationsApi } from '../lambdas/composition/integrations';
import { composeMemberCheck, composeSyncService, syncStores } from '../lambdas/composition/sync';
import { composeRouter, composeScheduler } from '../lambdas/composition/triggers';
import { createDocumentClient } from '../lambdas/core/dynamodb';
import { loadEnv } from '../lambdas/core/env';
import { makeCredentialsBroker } from '../lambdas/credentials/service';
import type { EventBusPort } from '../lambdas/publisher/ports';
import type { Router } from '../lambdas/router/service';
import type { ApiFunctionName } from '../lambdas/routes';
import type { Scheduler } from '../lambdas/schedule/service';
import { DEFAULT_STS_BUDGET } from '../schemas/credentials';
import { envSchema } from '../schemas/environment';
import { lambdaContext, type ProxyHandler, type TokenAuthorizer } from './api-gateway';
import type { InvocableFunctions } from './aws-apis';
import { type LocalConfig, localTemplatesBaseUrl } from './config';
import type { StreamConsumer } from './outbox-stream';
import { LocalWorkflow } from './workflow';

export interface LocalHandlers {
  readonly authorizer: TokenAuthorizer;
  readonly api: Readonly<Record<ApiFunctionName, ProxyHandler>>;
  /** The sync workflow, run in this process. */
  readonly workflow: LocalWorkflow;
  /** The readers of DynamoDB Local's stream: the outbox publisher and the share projector. */
  readonly streamReaders: readonly StreamConsumer[];
  /** The ingress router, fed the sandbox's CloudTrail events. */
  readonly router: Router;
  /** The schedule's fan-out, ticked by a timer with `--schedule`. */
  readonly scheduler: Scheduler;
  /** The functions platform services invoke with Lambda's Invoke API: the credentials broker. */
  readonly invocable: InvocableFunctions;
}

/** How long a local sync step runs before it checkpoints, as Lambda's remaining time would say. */
const LOCAL_STEP_MS = 75_000;

/** Syncs the local schedule lets run at once: all of them share this process and DynamoDB Local. */
const LOCAL_MAX_CONCURRENT_SYNCS = 10;

/** The handler modules Lambda runs; they read their environment at import. */
async function importHandlers() {
  return {
    authorizer: await import('../lambdas/functions/authorizer'),
    awsEnv: await import('../lambdas/functions/aws-env'),
    onboarding: await import('../lambdas/functions/onboarding'),
    integrations: await import('../lambdas/functions/integrations'),
    workspaces: await import('../lambdas/functions/workspaces'),
    openapi: await import('../lambdas/functions/openapi'),
    sync: await import('../lambdas/functions/sync'),
    publisher: await import('../lambdas/functions/publisher'),
    shares: await import('../lambdas/functions/shares'),
    credentials: await import('../lambdas/functions/credentials'),
  };
}

type HandlerModules = Awaited<ReturnType<typeof importHandlers>>;

/** What the local services run on: DynamoDB Local, the in-process workflow, the sandbox's or the SDK's STS. */
function localWiring(config: LocalConfig, sandbox: SandboxOrganization | undefined) {
  const { trustedAccountId, partition, tableName } = config;
  const db = createDocumentClient();
  const sandboxRoles = sandbox && new SandboxCustomerRoles(sandbox, trustedAccountId);
  return {
    db,
    tableName,
    stores: syncStores(db, tableName),
    roles: sandboxRoles ?? new StsCustomerRoles(new STSClient({})),
    /** The broker's sessions. */
    issuer: sandboxRoles ?? new StsSessionIssuer(new STSClient({})),
    roleRules: { trustedAccountId, allowedPartitions: [partition] },
    workflow: new LocalWorkflow({
      partition,
      stepMs: LOCAL_STEP_MS,
      retryMs: 1000,
      awaitDeploymentsMs: 2000,
    }),
  };
}

type LocalWiring = ReturnType<typeof localWiring>;

/**
 * Loads the same handler modules that Lambda runs. They read their environment at import, so
 * this runs only after the runtime has set it. The table is DynamoDB Local, the workflow runs
 * in process and the bus is the local one. STS and Organizations are the sandbox's, or with
 * `--aws` the real SDK adapters (which honour AWS_ENDPOINT_URL).
 */
export async function loadHandlers(
  config: LocalConfig,
  sandbox: SandboxOrganization | undefined,
  bus: EventBusPort,
  /** Where the local server listens. */
  url: string,
): Promise<LocalHandlers> {
  const modules = await importHandlers();
  const wiring = localWiring(config, sandbox);
  const { db, tableName, workflow } = wiring;
  const syncs = composeSyncService(wiring);
  // The handler logs each run's end; CloudWatch metrics have no local counterpart.
  workflow.attach(
    modules.sync.createHandler(syncs, composeMemberCheck(wiring), {
      runFailed: () => undefined,
      membersChecked: () => undefined,
      runCompleted: () => undefined,
    }),
  );
  return {
    authorizer: modules.authorizer.handler,
    api: apiHandlers(modules, wiring, config, sandbox, url),
    workflow,
    streamReaders: [
      modules.publisher.createHandler({
        bus,
        source: 'aws-org-connections',
        metrics: { count: () => undefined },
      }) as StreamConsumer,
      modules.shares.createHandler(shareProjectorAdapters(db, tableName)) as StreamConsumer,
    ],
    router: composeRouter({
      db,
      tableName,
      syncs,
      // The router logs each outcome; CloudWatch metrics have no local counterpart.
      metrics: { count: () => undefined },
      partition: config.partition,
    }),
    invocable: { credentials: brokerHandler(modules, wiring, config) },
    scheduler: composeScheduler({
      db,
      tableName,
      syncs,
      workflow,
      settings: { intervalMs: config.scheduleIntervalMs, maxConcurrentSyncs: LOCAL_MAX_CONCURRENT_SYNCS },
    }),
  };
}

function apiHandlers(
  modules: HandlerModules,
  wiring: LocalWiring,
  config: LocalConfig,
  sandbox: SandboxOrganization | undefined,
  url: string,
): LocalHandlers['api'] {
  const { trustedAccountId, partition } = config;
  // DynamoDB Local checks no IAM, so every tenant shares one composition, as without a tenant table role.
  const integrations = composeIntegrationsApi({
    ...wiring,
    trustPolicyProbes: config.emulator ? 'warn' : 'enforce',
    scheduleIntervalMs: config.scheduleIntervalMs,
    templatesBaseUrl: localTemplatesBaseUrl(url),
    fairUse: config.fairUse,
  });
  return {
    'aws-env': sandbox
      ? modules.awsEnv.createHandler({
          identity: new SandboxSts(trustedAccountId, partition),
          trustedAccountId,
          partition,
        })
      : modules.awsEnv.handler,
    onboarding: modules.onboarding.handler,
    integrations: modules.integrations.createHandler(async () => integrations),
    workspaces: modules.workspaces.handler,
    openapi: modules.openapi.handler,
  };
}

/**
 * The broker as platform services invoke it. No IAM here, so no alias proves the caller; but only
 * the configured consumers are answered, and their assertions are verified as deployed.
 */
function brokerHandler(modules: HandlerModules, wiring: LocalWiring, config: LocalConfig) {
  const tables = brokerTables(wiring.db, wiring.tableName, DEFAULT_STS_BUDGET);
  const settings = loadEnv(
    envSchema('BROKER_ASSERTION_ISSUER', 'BROKER_ASSERTION_JWKS_URI', 'BROKER_ASSERTION_AUDIENCE'),
  );
  const broker = modules.credentials.createHandler(
    makeCredentialsBroker({
      consumers: config.credentialConsumers,
      assertions: assertionVerifierOf(settings),
      // DynamoDB Local checks no IAM: every tenant shares the one client.
      tables: async () => tables,
      issuer: wiring.issuer,
      roleRules: wiring.roleRules,
      metrics: { count: () => undefined },
    }),
    { mode: 'none', consumers: [] },
  );
  const account = { accountId: config.trustedAccountId, partition: config.partition, region: config.region };
  // A context of its own for each invocation: its request id and its deadline.
  return (payload: unknown) => broker(payload, lambdaContext('credentials', account));
}
