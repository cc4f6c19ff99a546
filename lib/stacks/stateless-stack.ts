import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import { ArnPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Alias } from 'aws-cdk-lib/aws-kms';
import {
  EventSourceMapping,
  FilterCriteria,
  FilterRule,
  Alias as LambdaAlias,
  StartingPosition,
} from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { OUTBOX_BATCHING } from '../../lambdas/publisher/service';
import { API_FUNCTIONS, API_ROUTES, type ApiFunctionName, handlerEntry } from '../../lambdas/routes';
import { placeholder, syncWorkflowDefinition } from '../../lambdas/sync/workflow';
import type { Environment } from '../../schemas/environment';
import { DETAIL_TYPES, eventJsonSchemas } from '../../schemas/events';
import { ingressEventPattern } from '../../schemas/ingress';
import { GLOBAL_INDEXES, ITEM_KEYS } from '../../schemas/table';
import type { DeploymentConfig } from '../config';
import { ApiAuth } from '../constructs/api-auth';
import { acknowledgeNag, nagText } from '../constructs/nag';
import { OrgConnectionsApi } from '../constructs/rest-api';
import { ServiceFunction, type ServiceFunctionProps } from '../constructs/service-function';

export interface StatelessStackProps extends StackProps {
  readonly config: DeploymentConfig;
  readonly table: ITableV2;
  readonly ingressBus: IEventBus;
  readonly connectionsBus: IEventBus;
  /** Where the stateful stack publishes the customer templates, ending with `/`. */
  readonly templatesBaseUrl: string;
}

/** What each API function is for, the environment it needs and what it may touch. */
interface ApiFunctionSettings {
  readonly description: string;
  readonly environment: Environment;
  /** Grants beyond writing its own logs; none when absent. */
  readonly grant?: (fn: ServiceFunction) => void;
  readonly bundledDirectories?: readonly string[];
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

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, table } = props;
    const trustedAccountId = config.trustedAccountId ?? this.account;
    const logRetention = config.logRetentionDays;

    const alarmTopic = new Topic(this, 'Alarms', {
      displayName: 'aws-org-connections alarms',
      enforceSSL: true,
      masterKey: Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
    });
    if (config.alarmEmail) alarmTopic.addSubscription(new EmailSubscription(config.alarmEmail));

    this.auth = new ApiAuth(this, 'Auth', { auth: config.auth, logRetention, alarmTopic });

    const shared = { CORS_ALLOWED_ORIGINS: config.corsAllowedOrigins.join(',') };
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
    const settings: Record<ApiFunctionName, ApiFunctionSettings> = {
      'aws-env': {
        description: 'Env check: the backend AWS identity and the trusted account',
        // sts:GetCallerIdentity needs no permission, so this function gets no grant.
        environment: { TRUSTED_ACCOUNT_ID: trustedAccountId, PARTITION: this.partition },
      },
      onboarding: {
        description: 'Onboarding: External IDs, onboarding links and rendered templates',
        environment: {
          TABLE_NAME: table.tableName,
          TRUSTED_ACCOUNT_ID: trustedAccountId,
          PARTITION: this.partition,
          TEMPLATES_DIR: '/var/task/templates',
          TEMPLATES_BASE_URL: props.templatesBaseUrl,
          INGRESS_BUS_ARN: props.ingressBus.eventBusArn,
        },
        bundledDirectories: ['templates'],
        grant: (fn) => fn.role.addToPolicy(tableAccess(table, ['GetItem', 'PutItem', 'UpdateItem'])),
      },
      integrations: {
        description:
          'Integrations: role tests, integrations, starting syncs and member checks, status, runs and the tree',
        environment: { ...syncEnvironment, ...scheduleInterval },
        grant: (fn) => {
          // DeleteItem: a PATCH moves handle and role claims. ConditionCheckItem: a folder's or
          // connection's PATCH checks that the integration is not being deleted. BatchGetItem:
          // the connections' health beside a page of the tree.
          fn.role.addToPolicy(
            tableAccess(table, [
              'GetItem',
              'PutItem',
              'UpdateItem',
              'DeleteItem',
              'ConditionCheckItem',
              'Query',
              'BatchGetItem',
            ]),
          );
          fn.role.addToPolicy(assumeCustomerRoles(this.partition, this.account));
          fn.role.addToPolicy(
            new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn] }),
          );
          this.acknowledgeCustomerRoles(fn);
        },
      },
      workspaces: {
        description: 'Workspaces: the connections each workspace may use, from the read model',
        environment: { TABLE_NAME: table.tableName },
        grant: (fn) => fn.role.addToPolicy(tableAccess(table, ['Query'])),
      },
      openapi: {
        description: 'The OpenAPI 3.1 document of this API',
        environment: {},
      },
    };

    const functions = {} as Record<ApiFunctionName, ServiceFunction>;
    for (const name of API_FUNCTIONS) {
      const { description, environment, grant, bundledDirectories } = settings[name];
      const fn = new ServiceFunction(this, pascalCase(name), {
        entry: handlerEntry(name),
        description,
        bundledDirectories,
        environment: { ...shared, ...environment },
        logRetention,
        alarmTopic,
      });
      grant?.(fn);
      functions[name] = fn;
    }
    this.functions = functions;

    this.syncFunction = new ServiceFunction(this, 'SyncWorkflowFunction', {
      entry: handlerEntry('sync'),
      description:
        'Sync: the sync workflow steps (walk, reconcile, finalize, record failure, check member roles)',
      environment: { ...syncEnvironment, ORG_API_RATE_FRACTION: String(config.orgApiRateFraction) },
      // A step checkpoints a minute before this; a walk of a large organization takes several.
      timeout: Duration.minutes(15),
      memorySize: 1024,
      logRetention,
      alarmTopic,
    });
    // BatchGetItem and BatchWriteItem: the member roles' health records, a page at a time.
    this.syncFunction.role.addToPolicy(
      tableAccess(table, [
        'GetItem',
        'PutItem',
        'UpdateItem',
        'DeleteItem',
        'Query',
        'ConditionCheckItem',
        'BatchGetItem',
        'BatchWriteItem',
      ]),
    );
    this.syncFunction.role.addToPolicy(assumeCustomerRoles(this.partition, this.account));
    this.acknowledgeCustomerRoles(this.syncFunction);
    this.syncWorkflow = this.syncStateMachine(stateMachineName, logRetention);

    this.publisherFunction = this.streamReader(props, 'OutboxPublisher', {
      entry: handlerEntry('publisher'),
      description: 'Outbox: publishes connection-change events from the outbox to the connections bus',
      environment: { CONNECTIONS_BUS_NAME: props.connectionsBus.eventBusName },
      logRetention,
      alarmTopic,
      // Outbox INSERTs only: the function never sees mirror writes.
      filter: FilterCriteria.filter({
        eventName: FilterRule.isEqual('INSERT'),
        dynamodb: { Keys: { sk: { S: FilterRule.beginsWith(ITEM_KEYS.outboxPrefix) } } },
      }),
      deadLetters: {
        id: 'Outbox',
        of: 'the outbox stream',
        alarm: 'Connection-change events could not be published; replay them from the queue.',
      },
    });
    props.connectionsBus.grantPutEventsTo(this.publisherFunction.function);
    this.shareProjector = this.streamReader(props, 'ShareProjector', {
      entry: handlerEntry('shares'),
      description: "Shares: keeps the workspaces' read model from the mirror's connection changes",
      environment: { TABLE_NAME: table.tableName },
      logRetention,
      alarmTopic,
      // Mirror items only; the function skips folders itself.
      filter: FilterCriteria.filter({
        dynamodb: { Keys: { sk: { S: FilterRule.beginsWith('MIRROR#') } } },
      }),
      deadLetters: {
        id: 'Shares',
        of: "the workspaces' read model",
        alarm: "Shares with workspaces could not be recorded; replay the queue's records.",
      },
    });
    // GetItem: the integration's scope. BatchWriteItem: the share items.
    this.shareProjector.role.addToPolicy(tableAccess(table, ['GetItem', 'BatchWriteItem']));
    this.routerFunction = this.ingressRouter(
      props,
      { ...syncEnvironment, PARTITION: this.partition },
      stateMachineArn,
      {
        logRetention,
        alarmTopic,
      },
    );
    this.scheduleFunction = this.scheduleFanOut(
      props,
      { ...syncEnvironment, ...scheduleInterval, MAX_CONCURRENT_SYNCS: String(config.maxConcurrentSyncs) },
      stateMachineArn,
      { logRetention, alarmTopic },
    );
    this.credentialsFunction = this.credentialsBroker(
      props,
      {
        TABLE_NAME: table.tableName,
        TRUSTED_ACCOUNT_ID: trustedAccountId,
        ALLOWED_PARTITIONS: config.allowedPartitions.join(','),
      },
      alarmTopic,
    );
    this.registerEventSchemas();

    this.api = new OrgConnectionsApi(this, 'RestApi', {
      routes: API_ROUTES,
      functions,
      authorizer: this.auth.authorizer,
      corsAllowedOrigins: config.corsAllowedOrigins,
      logRetention,
      alarmTopic,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url });
    if (this.auth.userPool && this.auth.userPoolClient) {
      new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
      new CfnOutput(this, 'UserPoolClientId', { value: this.auth.userPoolClient.userPoolClientId });
    }
  }

  /** The workflow's one definition (lambdas/sync/workflow.ts), with this stack's function and partition. */
  private syncStateMachine(stateMachineName: string, logRetention: number): StateMachine {
    const machine = new StateMachine(this, 'SyncWorkflow', {
      stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      // Both substitutions become CloudFormation references, which cfn-lint can follow.
      definitionBody: DefinitionBody.fromString(
        JSON.stringify(syncWorkflowDefinition())
          .replaceAll(placeholder('Partition'), this.partition)
          .replaceAll(placeholder('SyncFunctionArn'), this.syncFunction.function.functionArn),
      ),
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'SyncWorkflowLogs', {
          retention: logRetention,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        level: LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    this.syncFunction.function.grantInvoke(machine);
    acknowledgeNag(
      machine.role,
      `IAM5[Resource::<${this.getLogicalId(this.syncFunction.function.node.defaultChild as never)}.Arn>:*]`,
      'Invoking the sync function by version or alias needs the ARN with a qualifier wildcard.',
    );
    acknowledgeNag(
      machine.role,
      'IAM5[Resource::*]',
      'X-Ray tracing and the log delivery actions of Step Functions support no resource-level permission.',
    );
    return machine;
  }

  /**
   * A reader of the table's stream, filtered by its event source mapping. A batch that keeps
   * failing is split to find the bad record and, after its retries, lands in a queue that
   * raises an alarm.
   */
  private streamReader(
    props: StatelessStackProps,
    id: string,
    options: ServiceFunctionProps & {
      readonly filter: Record<string, unknown>;
      readonly deadLetters: { readonly id: string; readonly of: string; readonly alarm: string };
    },
  ): ServiceFunction {
    const { filter, deadLetters: deadLetterText, ...functionProps } = options;
    const fn = new ServiceFunction(this, id, functionProps);
    const streamArn = props.table.tableStreamArn;
    if (!streamArn) throw new Error('the table needs its stream');
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [streamArn],
      }),
    );
    fn.role.addToPolicy(new PolicyStatement({ actions: ['dynamodb:ListStreams'], resources: ['*'] }));
    acknowledgeNag(
      fn.role,
      'IAM5[Resource::*]',
      'dynamodb:ListStreams supports no resource-level permission.',
    );
    const deadLetters = this.alarmedDeadLetters(deadLetterText.id, options.alarmTopic, deadLetterText);
    new EventSourceMapping(this, `${id}Stream`, {
      target: fn.function,
      eventSourceArn: streamArn,
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: OUTBOX_BATCHING.batchSize,
      maxBatchingWindow: Duration.seconds(OUTBOX_BATCHING.windowSeconds),
      bisectBatchOnError: true,
      retryAttempts: 10,
      onFailure: new SqsDlq(deadLetters),
      filters: [filter],
    });
    deadLetters.grantSendMessages(fn.function);
    return fn;
  }

  /** A dead-letter queue that raises an alarm as soon as it holds a message. */
  private alarmedDeadLetters(id: string, alarmTopic: ITopic, text: { of: string; alarm: string }): Queue {
    const queue = new Queue(this, `${id}DeadLetters`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeNag(queue, 'SQS3', `This queue is itself the dead-letter queue of ${text.of}.`);
    new Alarm(this, `${id}DeadLettersAlarm`, {
      alarmDescription: text.alarm,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new SnsAction(alarmTopic));
    return queue;
  }

  /**
   * The ingress bus's rule passes exactly what the router acts on (the customer's forwarder
   * uses the same pattern) to the router. An event the rule cannot deliver, or that the router
   * fails on after Lambda's retries, lands in a queue that raises an alarm. The router drops
   * malformed events and unknown accounts itself, so they never get there.
   */
  private ingressRouter(
    props: StatelessStackProps,
    environment: Environment,
    stateMachineArn: string,
    { logRetention, alarmTopic }: { logRetention: number; alarmTopic: Topic },
  ): ServiceFunction {
    // Reads the routing index and the sightings, records them, starts or extends runs.
    const fn = this.syncStarter('IngressRouter', props.table, {
      entry: handlerEntry('router'),
      description: 'Router: routes forwarded Organizations events to targeted syncs of their integrations',
      environment: { ...environment, POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE },
      logRetention,
      alarmTopic,
      index: GLOBAL_INDEXES.byManagementAccount.indexName,
      stateMachineActions: ['states:StartExecution'],
      stateMachineArn,
    });
    const deadLetters = this.alarmedDeadLetters('Ingress', alarmTopic, {
      of: 'the ingress rule and router',
      alarm: 'Organizations events were not routed; a full sync of the integrations concerned catches up.',
    });
    fn.function.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(deadLetters) });
    new Rule(this, 'IngressRule', {
      eventBus: props.ingressBus,
      description: 'Forwarded Organizations changes, to the router',
      eventPattern: ingressEventPattern(),
      targets: [
        new LambdaFunction(fn.function, {
          deadLetterQueue: deadLetters,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
    return fn;
  }

  /**
   * The schedule: a rule ticks every minute; each tick starts the syncs due by then (each integration is
   * due once per interval, at its own phase) and never more than the cap lets run at once. A
   * failed or lost tick needs no retry: what it left stays due for the next one. An alarm sounds
   * when every tick for half an hour has left integrations due.
   */
  private scheduleFanOut(
    props: StatelessStackProps,
    environment: Environment,
    stateMachineArn: string,
    { logRetention, alarmTopic }: { logRetention: number; alarmTopic: Topic },
  ): ServiceFunction {
    const fn = this.syncStarter('ScheduleFanOut', props.table, {
      entry: handlerEntry('schedule'),
      description: 'Schedule: starts the scheduled syncs that are due, within the cap on concurrent syncs',
      environment: { ...environment, POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE },
      // Ticks are a minute apart; one stops starting syncs 10 s before its end.
      timeout: Duration.seconds(55),
      logRetention,
      alarmTopic,
      index: GLOBAL_INDEXES.bySchedule.indexName,
      stateMachineActions: ['states:StartExecution', 'states:ListExecutions'],
      stateMachineArn,
    });
    fn.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    new Rule(this, 'ScheduleRule', {
      description: 'The schedule tick: starts the re-syncs that are due',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(fn.function, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
    });
    new Alarm(this, 'ScheduleBehindAlarm', {
      alarmDescription:
        'Scheduled syncs have been falling behind for 30 minutes: raise maxConcurrentSyncs, or look for syncs that run long.',
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'ScheduleBehind',
        dimensionsMap: { service: 'schedule' },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      // Five ticks a period, each behind, for six periods running.
      threshold: 5,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 6,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new SnsAction(alarmTopic));
    return fn;
  }

  /**
   * A function that finds integrations through one index and starts their syncs: Query on that
   * index only, the item actions that starting a run needs, and the given actions on the sync
   * state machine.
   */
  private syncStarter(
    id: string,
    table: ITableV2,
    {
      index,
      stateMachineActions,
      stateMachineArn,
      ...props
    }: ConstructorParameters<typeof ServiceFunction>[2] & {
      index: string;
      stateMachineActions: string[];
      stateMachineArn: string;
    },
  ): ServiceFunction {
    const fn = new ServiceFunction(this, id, props);
    fn.role.addToPolicy(
      new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${index}`] }),
    );
    fn.role.addToPolicy(tableAccess(table, ['GetItem', 'PutItem', 'UpdateItem']));
    fn.role.addToPolicy(new PolicyStatement({ actions: stateMachineActions, resources: [stateMachineArn] }));
    return fn;
  }

  /**
   * The credentials broker, which platform services invoke with Lambda's Invoke API. Each
   * configured consumer gets an alias named after it, and only its principal may invoke that
   * alias; the function itself admits nobody. The alias tells the broker who calls. It may read
   * the table, keep each tenant's STS budget, and assume customer roles (never ours) with a
   * SourceIdentity naming a configured consumer and the three session tags it sets.
   */
  private credentialsBroker(
    props: StatelessStackProps,
    environment: Environment,
    alarmTopic: ITopic,
  ): ServiceFunction {
    const { config, table } = props;
    const consumers = config.credentialConsumers;
    const fn = new ServiceFunction(this, 'CredentialsBroker', {
      entry: handlerEntry('credentials'),
      description:
        'Credentials for platform services: short-lived sessions of the connections a workspace may use',
      environment: {
        ...environment,
        CONSUMER_IDENTITY: 'alias',
        CREDENTIAL_CONSUMERS: consumers.map((consumer) => consumer.name).join(','),
        STS_BUDGET_RATE: String(config.credentialsStsBudget.rate),
        STS_BUDGET_BURST: String(config.credentialsStsBudget.burst),
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      logRetention: config.logRetentionDays,
      alarmTopic,
    });
    // GetItem: a handle's claim and the tenant's STS budget. BatchGetItem: a connection with its
    // integration, health and read-model entries.
    fn.role.addToPolicy(tableAccess(table, ['GetItem', 'BatchGetItem']));
    // The budget is the only thing the broker writes: one attribute, on its own item.
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [table.tableArn],
        conditions: {
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', 'stsBudgetAt'] },
          StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
        },
      }),
    );
    const notOurs = { StringNotEquals: { 'aws:ResourceAccount': this.account } };
    const customerRoles = [`arn:${this.partition}:iam::*:role/*`];
    fn.role.addToPolicy(
      new PolicyStatement({ actions: ['sts:AssumeRole'], resources: customerRoles, conditions: notOurs }),
    );
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: ['sts:TagSession'],
        resources: customerRoles,
        conditions: {
          ...notOurs,
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['tenant', 'workspace', 'consumer'] },
        },
      }),
    );
    if (consumers.length > 0) {
      fn.role.addToPolicy(
        new PolicyStatement({
          actions: ['sts:SetSourceIdentity'],
          resources: customerRoles,
          conditions: {
            ...notOurs,
            StringEquals: { 'sts:SourceIdentity': consumers.map((consumer) => consumer.name) },
          },
        }),
      );
    }
    this.acknowledgeCustomerRoles(fn);
    const brokerArn = fn.function.functionArn;
    new CfnOutput(this, 'CredentialsBrokerArn', {
      description: 'The credentials broker; each consumer invokes it as <this ARN>:<consumer name>',
      value: brokerArn,
      exportName: `${this.stackName}-CredentialsBrokerArn`,
    });
    const version = fn.function.currentVersion;
    for (const consumer of consumers) {
      const alias = new LambdaAlias(this, `CredentialsConsumer${pascalCase(consumer.name)}`, {
        aliasName: consumer.name,
        version,
        description: `The credentials broker, for the consumer ${consumer.name} only`,
      });
      alias.addPermission('InvokeByConsumer', {
        principal: new ArnPrincipal(consumer.principalArn),
        action: 'lambda:InvokeFunction',
      });
    }
    return fn;
  }

  /** Grants on customer roles name no account: we cannot list our customers' in advance. */
  private acknowledgeCustomerRoles(fn: ServiceFunction): void {
    acknowledgeNag(
      fn.role,
      `IAM5[Resource::arn:${nagText(this.partition, 'AWS::Partition')}:iam::*:role/*]`,
      "Customer roles live in any customer's account, so no account can be named; the role's trust policy and its External ID are the gate, and our own account is excluded.",
    );
  }

  /** The events' schemas, in EventBridge's registry, so consumers can download code bindings. */
  private registerEventSchemas(): void {
    const registry = new CfnRegistry(this, 'EventSchemas', {
      description: 'Connection-change events of aws-org-connections',
    });
    const schemas = eventJsonSchemas();
    for (const type of DETAIL_TYPES) {
      const schema = new CfnSchema(this, `Schema${type.replaceAll(' ', '')}`, {
        registryName: registry.attrRegistryName,
        schemaName: `aws-org-connections@${type.replaceAll(' ', '')}`,
        type: 'JSONSchemaDraft4',
        description: `The detail of "${type}"`,
        content: JSON.stringify(schemas[type]),
      });
      schema.addResourceDependency(registry);
    }
  }
}

/** The CloudWatch namespace of the functions' own metrics. */
const METRICS_NAMESPACE = 'AwsOrgConnections';

/** Item-level actions on the table only: no scans, no deletes unless a function needs them. */
function tableAccess(table: ITableV2, actions: readonly string[]): PolicyStatement {
  return new PolicyStatement({
    actions: actions.map((action) => `dynamodb:${action}`),
    resources: [table.tableArn],
  });
}

/**
 * The role test and the sync assume customer roles in accounts we cannot list in advance. The
 * probes call AssumeRole without an External ID on purpose, so no sts:ExternalId condition may
 * appear here: it would make every probe fail on our side and prove nothing about the role.
 */
function assumeCustomerRoles(partition: string, ownAccount: string): PolicyStatement {
  return new PolicyStatement({
    actions: ['sts:AssumeRole'],
    resources: [`arn:${partition}:iam::*:role/*`],
    conditions: { StringNotEquals: { 'aws:ResourceAccount': ownAccount } },
  });
}

function pascalCase(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, letter: string) => letter.toUpperCase());
}
