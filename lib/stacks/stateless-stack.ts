import { CfnOutput, Duration, Fn, type StackProps } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { API_ROUTES } from '../../lambdas/routes';
import type { EnvName } from '../../schemas/environment';
import type { DeploymentConfig } from '../config';
import { ApiAuth } from '../constructs/api-auth';
import { ApiFunctions } from '../constructs/api-functions';
import { builtConsole, ConsoleHosting, type ConsoleSignIn } from '../constructs/console-hosting';
import { CredentialsBroker } from '../constructs/credentials-broker';
import { OrgConnectionsApi } from '../constructs/rest-api';
import { ServiceFunction } from '../constructs/service-function';
import { UnitStack } from '../constructs/stack-unit';
import { OutboxPublisher, ShareProjector } from '../constructs/stream-readers';
import { SyncEngine, syncStateMachineArn } from '../constructs/sync-engine';
import { alarmsTopic } from './stateless/alarms';
import { serviceDashboard } from './stateless/dashboard';
import { registerEventSchemas } from './stateless/event-schemas';

export interface StatelessStackProps extends StackProps {
  readonly config: DeploymentConfig;
  readonly table: ITableV2;
  readonly ingressBus: IEventBus;
  readonly connectionsBus: IEventBus;
  /** Where the stateful stack publishes the customer templates, ending with `/`. */
  readonly templatesBaseUrl: string;
}

/**
 * Everything that can be replaced freely: the API, its authorizer and the functions. Each part is
 * a unit (the API's functions, the sync engine, the stream readers, the broker) that gets the
 * stateful stack's table or buses as props, with grants next to them.
 */
export class StatelessStack extends UnitStack {
  readonly auth: ApiAuth;
  readonly apiFunctions: ApiFunctions;
  readonly syncEngine: SyncEngine;
  readonly outbox: OutboxPublisher;
  readonly shares: ShareProjector;
  readonly broker: CredentialsBroker;
  readonly api: OrgConnectionsApi;
  readonly console?: ConsoleHosting;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, table } = props;
    const trustedAccountId = config.trustedAccountId ?? this.account;
    const shared = {
      logRetention: config.logRetentionDays,
      alarmTopic: alarmsTopic(this, config.alarmEmail),
    };

    this.auth = new ApiAuth(this, 'Auth', {
      ...shared,
      auth: config.auth,
      reservedConcurrency: config.concurrency.authorizer,
    });

    // Named, so functions can know its ARN without a reference cycle (it invokes them).
    const stateMachineName = `${this.stackName}-sync`;
    const stateMachineArn = syncStateMachineArn(this, stateMachineName);
    const platform = {
      TABLE_NAME: table.tableName,
      TRUSTED_ACCOUNT_ID: trustedAccountId,
      ALLOWED_PARTITIONS: config.allowedPartitions.join(','),
    };
    const syncEnvironment = { ...platform, STATE_MACHINE_ARN: stateMachineArn };
    const syncInterval = Duration.hours(config.syncIntervalHours);
    const memberCheckInterval = Duration.hours(config.memberCheckIntervalHours);

    this.apiFunctions = new ApiFunctions(this, 'Api', {
      ...shared,
      table,
      ingressBus: props.ingressBus,
      templatesBaseUrl: props.templatesBaseUrl,
      trustedAccountId,
      syncEnvironment,
      syncInterval,
      memberCheckInterval,
      stateMachineArn,
      corsAllowedOrigins: config.corsAllowedOrigins,
      fairUse: config.fairUse,
      auditRetentionDays: config.auditRetentionDays,
      reservedConcurrency: config.concurrency.api,
    });
    this.syncEngine = new SyncEngine(this, 'SyncEngine', {
      ...shared,
      table,
      ingressBus: props.ingressBus,
      stateMachineName,
      environment: syncEnvironment,
      syncInterval,
      memberCheckInterval,
      maxConcurrentSyncs: config.maxConcurrentSyncs,
      orgApiRateFraction: config.orgApiRateFraction,
      concurrency: config.concurrency,
    });
    this.outbox = new OutboxPublisher(this, 'Outbox', {
      ...shared,
      table,
      connectionsBus: props.connectionsBus,
    });
    this.shares = new ShareProjector(this, 'Shares', { ...shared, table });
    this.broker = new CredentialsBroker(this, 'Broker', {
      ...shared,
      table,
      environment: platform,
      consumers: config.credentialConsumers,
      assertions: config.brokerAssertions,
      stsBudget: config.credentialsStsBudget,
    });
    registerEventSchemas(this);
    this.publishPlatformPrincipals();

    this.api = this.restApi(config, shared);
    this.console = this.hostConsole(config);

    serviceDashboard(this, { api: this.api.api, syncWorkflow: this.syncEngine.workflow });
    if (config.traceAwsCalls) this.traceAwsCalls();
    this.outputs();
  }

  /** Every function records a subsegment per AWS call, and so loads the X-Ray SDK at cold start. */
  private traceAwsCalls(): void {
    for (const construct of this.node.findAll()) {
      if (construct instanceof ServiceFunction) construct.traceAwsCalls();
    }
  }

  /**
   * The roles that assume customer roles, published: the onboarding answer, the rendered
   * templates and the quick-create links name them, so a new customer's trust admits them alone.
   */
  private publishPlatformPrincipals(): void {
    const { integrations, onboarding } = this.apiFunctions.functions;
    const principals = [integrations, this.syncEngine.syncFunction, this.broker.function].map(
      (fn) => fn.role.roleArn,
    );
    onboarding.function.addEnvironment('PLATFORM_PRINCIPAL_ARNS' satisfies EnvName, Fn.join(',', principals));
    new CfnOutput(this, 'PlatformPrincipalArns', {
      description: "The platform's roles that assume customer roles: what PlatformPrincipalArns names",
      value: Fn.join(',', principals),
    });
  }

  /** The REST API: the routes' functions behind the authorizer, with each tenant's fair-use quota. */
  private restApi(
    config: DeploymentConfig,
    shared: { logRetention: number; alarmTopic: ITopic },
  ): OrgConnectionsApi {
    const api = new OrgConnectionsApi(this, 'RestApi', {
      ...shared,
      routes: API_ROUTES,
      functions: this.apiFunctions.functions,
      authorizer: this.auth.authorizer,
      corsAllowedOrigins: config.corsAllowedOrigins,
      tenantRequests: { ratePerSecond: config.fairUse.requestsPerSecond, burst: config.fairUse.requestBurst },
    });
    api.grantUsageKeys(this.auth.authorizerFunction);
    return api;
  }

  /** The console, unless turned off or nobody can sign in to it. */
  private hostConsole(config: DeploymentConfig): ConsoleHosting | undefined {
    const signIn = this.consoleSignIn(config);
    return (
      signIn && new ConsoleHosting(this, 'Console', { api: this.api.api, signIn, assetDir: builtConsole() })
    );
  }

  /**
   * How the console signs people in: Cognito's hosted UI on our pool, unless turned off; the
   * platform's sign-in with an external issuer, once configured. Undefined: no console.
   */
  private consoleSignIn(config: DeploymentConfig): ConsoleSignIn | undefined {
    const { enabled, signIn, signInDomainPrefix } = config.console;
    if (enabled === false) return undefined;
    if (signIn) return { kind: 'oidc', ...signIn };
    const { userPool, userPoolClient } = this.auth;
    if (!userPool || !userPoolClient) return undefined;
    const domainPrefix = signInDomainPrefix ?? `${config.stackPrefix.toLowerCase()}-${this.account}`;
    if (/aws|amazon|cognito/.test(config.stackPrefix.toLowerCase()) && !signInDomainPrefix) {
      throw new Error(
        'Set console.signInDomainPrefix: Cognito refuses sign-in domains with aws, amazon or cognito.',
      );
    }
    return { kind: 'cognito', userPool, client: userPoolClient, domainPrefix };
  }

  /** What a deployer needs next: the API's URL, the console's, and with a Cognito pool of ours, its ids. */
  private outputs(): void {
    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url });
    if (this.console) new CfnOutput(this, 'ConsoleUrl', { value: this.console.url });
    if (this.auth.userPool && this.auth.userPoolClient) {
      new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
      new CfnOutput(this, 'UserPoolClientId', { value: this.auth.userPoolClient.userPoolClientId });
    }
  }
}
