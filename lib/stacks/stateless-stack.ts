import { ArnFormat, CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { API_ROUTES, type ApiFunctionName } from '../../lambdas/routes';
import type { EnvName } from '../../schemas/environment';
import type { DeploymentConfig } from '../config';
import { ApiAuth } from '../constructs/api-auth';
import { builtConsole, ConsoleHosting, type ConsoleSignIn } from '../constructs/console-hosting';
import { OrgConnectionsApi } from '../constructs/rest-api';
import type { ServiceFunction } from '../constructs/service-function';
import { apiFunctions } from './stateless/api-functions';
import { alarmsTopic } from './stateless/common';
import { credentialsBroker } from './stateless/credentials-broker';
import { serviceDashboard } from './stateless/dashboard';
import { registerEventSchemas } from './stateless/event-schemas';
import { outboxPublisher, shareProjector } from './stateless/stream-readers';
import {
  ingressRouter,
  scheduleFanOut,
  syncStateMachine,
  syncWorkflowFunction,
} from './stateless/sync-engine';

export interface StatelessStackProps extends StackProps {
  readonly config: DeploymentConfig;
  readonly table: ITableV2;
  readonly ingressBus: IEventBus;
  readonly connectionsBus: IEventBus;
  /** Where the stateful stack publishes the customer templates, ending with `/`. */
  readonly templatesBaseUrl: string;
}

/**
 * Everything that can be replaced freely: the API, its authorizer and the functions. Functions
 * that need the stateful stack's table or buses get them as props, with grants next to them.
 */
export class StatelessStack extends Stack {
  readonly functions: Readonly<Record<ApiFunctionName, ServiceFunction>>;
  readonly syncFunction: ServiceFunction;
  readonly publisherFunction: ServiceFunction;
  readonly shareProjector: ServiceFunction;
  readonly routerFunction: ServiceFunction;
  readonly scheduleFunction: ServiceFunction;
  readonly credentialsFunction: ServiceFunction;
  readonly syncWorkflow: StateMachine;
  readonly api: OrgConnectionsApi;
  readonly auth: ApiAuth;
  readonly console?: ConsoleHosting;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, table } = props;
    const trustedAccountId = config.trustedAccountId ?? this.account;
    const logRetention = config.logRetentionDays;

    const alarmTopic = alarmsTopic(this, config.alarmEmail);

    this.auth = new ApiAuth(this, 'Auth', {
      auth: config.auth,
      logRetention,
      alarmTopic,
      reservedConcurrency: config.concurrency.authorizer,
    });

    // Named, so functions can know its ARN without a reference cycle (it invokes them).
    const stateMachineName = `${this.stackName}-sync`;
    const stateMachineArn = this.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const syncEnvironment = {
      TABLE_NAME: table.tableName,
      TRUSTED_ACCOUNT_ID: trustedAccountId,
      ALLOWED_PARTITIONS: config.allowedPartitions.join(','),
      STATE_MACHINE_ARN: stateMachineArn,
    };
    const scheduleInterval = { SYNC_INTERVAL_SECONDS: String(config.syncIntervalHours * 3600) };
    const functions = apiFunctions(this, {
      props,
      trustedAccountId,
      syncEnvironment,
      scheduleInterval,
      stateMachineArn,
      shared: { logRetention, alarmTopic },
    });
    this.functions = functions;

    this.syncFunction = syncWorkflowFunction(
      this,
      props,
      { ...syncEnvironment, ORG_API_RATE_FRACTION: String(config.orgApiRateFraction) },
      { logRetention, alarmTopic, reservedConcurrency: config.concurrency.syncWorkers },
    );
    this.syncWorkflow = syncStateMachine(this, this.syncFunction, stateMachineName, {
      logRetention,
      alarmTopic,
    });

    this.publisherFunction = outboxPublisher(this, props, { logRetention, alarmTopic });
    this.shareProjector = shareProjector(this, props, { logRetention, alarmTopic });
    this.routerFunction = ingressRouter(
      this,
      props,
      { ...syncEnvironment, PARTITION: this.partition },
      stateMachineArn,
      { logRetention, alarmTopic, reservedConcurrency: config.concurrency.router },
    );
    this.scheduleFunction = scheduleFanOut(
      this,
      props,
      { ...syncEnvironment, ...scheduleInterval, MAX_CONCURRENT_SYNCS: String(config.maxConcurrentSyncs) },
      stateMachineArn,
      { logRetention, alarmTopic },
    );
    this.credentialsFunction = credentialsBroker(
      this,
      props,
      {
        TABLE_NAME: table.tableName,
        TRUSTED_ACCOUNT_ID: trustedAccountId,
        ALLOWED_PARTITIONS: config.allowedPartitions.join(','),
      },
      alarmTopic,
    );
    registerEventSchemas(this);
    this.publishPlatformPrincipals();

    this.api = new OrgConnectionsApi(this, 'RestApi', {
      routes: API_ROUTES,
      functions,
      authorizer: this.auth.authorizer,
      corsAllowedOrigins: config.corsAllowedOrigins,
      logRetention,
      alarmTopic,
      tenantRequests: { ratePerSecond: config.fairUse.requestsPerSecond, burst: config.fairUse.requestBurst },
    });
    this.api.grantUsageKeys(this.auth.authorizerFunction);
    const signIn = this.consoleSignIn(config);
    if (signIn) {
      this.console = new ConsoleHosting(this, 'Console', {
        api: this.api.api,
        signIn,
        assetDir: builtConsole(),
      });
    }

    serviceDashboard(this, { api: this.api.api, syncWorkflow: this.syncWorkflow });
    this.outputs();
  }

  /**
   * The roles that assume customer roles, published: the onboarding answer, the rendered
   * templates and the quick-create links name them, so a new customer's trust admits them alone.
   */
  private publishPlatformPrincipals(): void {
    const principals = [this.functions.integrations, this.syncFunction, this.credentialsFunction].map(
      (fn) => fn.role.roleArn,
    );
    this.functions.onboarding.function.addEnvironment(
      'PLATFORM_PRINCIPAL_ARNS' satisfies EnvName,
      Fn.join(',', principals),
    );
    new CfnOutput(this, 'PlatformPrincipalArns', {
      description: "The platform's roles that assume customer roles: what PlatformPrincipalArns names",
      value: Fn.join(',', principals),
    });
  }

  /**
   * How the console signs people in: Cognito's hosted UI on our pool, unless turned off; the
   * platform's sign-in with an external issuer, once configured. Null: no console.
   */
  private consoleSignIn(config: DeploymentConfig): ConsoleSignIn | null {
    const { enabled, signIn, signInDomainPrefix } = config.console;
    if (enabled === false) return null;
    if (signIn) return { kind: 'oidc', ...signIn };
    const { userPool, userPoolClient } = this.auth;
    if (!userPool || !userPoolClient) return null;
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
