import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../lambdas/core/metrics';
import { handlerEntry } from '../../lambdas/routes';
import { SYNC_RUNS_FAILED_METRIC } from '../../lambdas/sync/metrics';
import { placeholder, syncWorkflowDefinition } from '../../lambdas/sync/workflow';
import type { Environment } from '../../schemas/environment';
import { ingressEventPatterns } from '../../schemas/ingress';
import { GLOBAL_INDEXES } from '../../schemas/table';
import { alarmedDeadLetters } from './dead-letters';
import { acknowledgeCustomerRoles, assumeCustomerRoles, tableAccess } from './grants';
import { acknowledgeNag } from './nag';
import { ServiceFunction, type ServiceFunctionProps } from './service-function';
import { StackUnit } from './stack-unit';

export interface SyncEngineProps {
  readonly table: ITableV2;
  /** Where customers' forwarders put Organizations events. */
  readonly ingressBus: IEventBus;
  /**
   * The state machine's name. It is fixed, so that the functions that start syncs (ours and the
   * API's) know its ARN, `syncStateMachineArn`, without a reference cycle: it invokes them.
   */
  readonly stateMachineName: string;
  /** What each of the engine's functions reads: the table, the trusted account, the partitions, the state machine. */
  readonly environment: Environment;
  /** How often each integration is re-synced. */
  readonly syncInterval: Duration;
  /** How often every member role is checked when nothing changes. */
  readonly memberCheckInterval: Duration;
  /** The most syncs the schedule lets run at once. */
  readonly maxConcurrentSyncs: number;
  /** The share of the Organizations API's rate limits that one walk may use, above 0 and at most 1. */
  readonly orgApiRateFraction: number;
  /** Concurrency kept for the sync workers and for the router, each also its cap. */
  readonly concurrency: { readonly syncWorkers: number; readonly router: number };
  readonly logRetention: RetentionDays;
  /** Receives every alarm of the engine. */
  readonly alarmTopic: ITopic;
}

/** The ARN of the sync state machine of this name, in the stack of `scope`. */
export function syncStateMachineArn(scope: Construct, stateMachineName: string): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: stateMachineName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * The sync engine: the workflow and the function behind its steps, and the two that start runs,
 * the router of forwarded Organizations events and the schedule.
 */
export class SyncEngine extends StackUnit {
  readonly syncFunction: ServiceFunction;
  readonly workflow: StateMachine;
  readonly routerFunction: ServiceFunction;
  readonly scheduleFunction: ServiceFunction;

  constructor(scope: Construct, id: string, props: SyncEngineProps) {
    super(scope, id);
    if (!(props.orgApiRateFraction > 0 && props.orgApiRateFraction <= 1)) {
      throw new Error(`orgApiRateFraction must be above 0 and at most 1, got ${props.orgApiRateFraction}`);
    }
    const stateMachineArn = syncStateMachineArn(this, props.stateMachineName);
    const { logRetention, alarmTopic } = props;
    this.syncFunction = syncWorkflowFunction(this, props.table, {
      environment: {
        ...props.environment,
        ORG_API_RATE_FRACTION: String(props.orgApiRateFraction),
        MEMBER_CHECK_INTERVAL_SECONDS: String(props.memberCheckInterval.toSeconds()),
      },
      reservedConcurrency: props.concurrency.syncWorkers,
      logRetention,
      alarmTopic,
    });
    this.workflow = syncStateMachine(this, this.syncFunction, props);
    this.routerFunction = ingressRouter(this, props, stateMachineArn);
    this.scheduleFunction = scheduleFanOut(this, props, stateMachineArn);
  }
}

/** The workflow's one definition (lambdas/sync/workflow.ts), with this stack's function and partition. */
function syncStateMachine(
  scope: Construct,
  syncFunction: ServiceFunction,
  { stateMachineName, logRetention, alarmTopic }: SyncEngineProps,
): StateMachine {
  const stack = Stack.of(scope);
  const machine = new StateMachine(scope, 'SyncWorkflow', {
    stateMachineName,
    stateMachineType: StateMachineType.STANDARD,
    // Both substitutions become CloudFormation references, which cfn-lint can follow.
    definitionBody: DefinitionBody.fromString(
      JSON.stringify(syncWorkflowDefinition())
        .replaceAll(placeholder('Partition'), stack.partition)
        .replaceAll(placeholder('SyncFunctionArn'), syncFunction.function.functionArn),
    ),
    tracingEnabled: true,
    logs: {
      destination: new LogGroup(scope, 'SyncWorkflowLogs', {
        retention: logRetention,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      level: LogLevel.ALL,
      includeExecutionData: false,
    },
  });
  syncFunction.function.grantInvoke(machine);
  acknowledgeNag(
    machine.role,
    `IAM5[Resource::<${stack.getLogicalId(syncFunction.function.node.defaultChild as never)}.Arn>:*]`,
    'Invoking the sync function by version or alias needs the ARN with a qualifier wildcard.',
  );
  acknowledgeNag(
    machine.role,
    'IAM5[Resource::*]',
    'X-Ray tracing and the log delivery actions of Step Functions support no resource-level permission.',
  );
  alarmOnSyncTrouble(scope, machine, alarmTopic);
  return machine;
}

/**
 * What means trouble in the sync engine. A run that fails on the customer's side (a refused role,
 * a missing permission) ends its execution normally and is the customer's to fix, so it raises
 * nothing; an execution that fails or times out, or a run failed on an error of ours, does.
 */
function alarmOnSyncTrouble(scope: Construct, machine: StateMachine, alarmTopic: ITopic): void {
  const period = Duration.minutes(5);
  const alarms = [
    {
      id: 'SyncExecutionsFailedAlarm',
      description:
        "A sync execution failed: even recording the run's failure did not work. Open the execution in the Step Functions console, then the sync function's logs for its run id.",
      metric: machine.metricFailed({ period }),
    },
    {
      id: 'SyncExecutionsTimedOutAlarm',
      description:
        "A sync execution timed out. Open it in the Step Functions console: a step that never ends points at the sync function's logs.",
      metric: machine.metricTimedOut({ period }),
    },
    {
      id: 'SyncInternalErrorsAlarm',
      description:
        "A sync run failed on an internal error (a bug of ours, not the customer's role). The sync function's log line 'workflow action failed' holds the whole error.",
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: SYNC_RUNS_FAILED_METRIC,
        dimensionsMap: { service: 'sync', code: 'INTERNAL_ERROR' },
        statistic: 'Sum',
        period,
      }),
    },
  ];
  for (const { id, description, metric } of alarms) {
    new Alarm(scope, id, {
      alarmDescription: description,
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new SnsAction(alarmTopic));
  }
}

/**
 * The ingress bus's rule passes exactly what the router acts on (the customer's forwarder
 * uses the same pattern) to the router. An event the rule cannot deliver, or that the router
 * fails on after Lambda's retries, lands in a queue that raises an alarm. The router drops
 * malformed events and unknown accounts itself, so they never get there.
 */
function ingressRouter(scope: Construct, props: SyncEngineProps, stateMachineArn: string): ServiceFunction {
  // Reads the routing index and the sightings, records them, starts or extends runs.
  const { logRetention, alarmTopic } = props;
  const fn = syncStarter(scope, 'IngressRouter', props.table, {
    entry: handlerEntry('router'),
    description: 'Router: routes forwarded Organizations events to targeted syncs of their integrations',
    environment: {
      ...props.environment,
      PARTITION: Stack.of(scope).partition,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    },
    reservedConcurrency: props.concurrency.router,
    logRetention,
    alarmTopic,
    errorsAreExpected: 'A failed event is retried twice, then kept in the dead-letter queue, which alarms.',
    index: GLOBAL_INDEXES.byManagementAccount.indexName,
    stateMachineActions: ['states:StartExecution'],
    stateMachineArn,
  });
  const deadLetters = alarmedDeadLetters(scope, 'Ingress', alarmTopic, {
    of: 'the ingress rule and router',
    alarm: 'Organizations events were not routed; a full sync of the integrations concerned catches up.',
  });
  fn.function.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(deadLetters) });
  const patterns = ingressEventPatterns();
  const rules = [
    { id: 'IngressRule', of: 'Forwarded Organizations changes', eventPattern: patterns.organizations },
    { id: 'RegionOptInRule', of: "Forwarded regions' opt-ins", eventPattern: patterns.regionOptIn },
  ];
  for (const { id, of, eventPattern } of rules) {
    new Rule(scope, id, {
      eventBus: props.ingressBus,
      description: `${of}, to the router`,
      eventPattern,
      targets: [
        new LambdaFunction(fn.function, {
          deadLetterQueue: deadLetters,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
  }
  return fn;
}

/**
 * The schedule: a rule ticks every minute; each tick starts the syncs due by then (each integration is
 * due once per interval, at its own phase) and never more than the cap lets run at once. A
 * failed or lost tick needs no retry: what it left stays due for the next one. An alarm sounds
 * when every tick for half an hour has left integrations due.
 */
function scheduleFanOut(scope: Construct, props: SyncEngineProps, stateMachineArn: string): ServiceFunction {
  const { logRetention, alarmTopic } = props;
  const fn = syncStarter(scope, 'ScheduleFanOut', props.table, {
    entry: handlerEntry('schedule'),
    description: 'Schedule: starts the scheduled syncs that are due, within the cap on concurrent syncs',
    environment: {
      ...props.environment,
      SYNC_INTERVAL_SECONDS: String(props.syncInterval.toSeconds()),
      MAX_CONCURRENT_SYNCS: String(props.maxConcurrentSyncs),
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    },
    // Ticks are a minute apart; one stops starting syncs 10 s before its end.
    timeout: Duration.seconds(55),
    logRetention,
    alarmTopic,
    index: GLOBAL_INDEXES.bySchedule.indexName,
    stateMachineActions: ['states:StartExecution', 'states:ListExecutions'],
    stateMachineArn,
  });
  fn.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
  new Rule(scope, 'ScheduleRule', {
    description: 'The schedule tick: starts the re-syncs that are due',
    schedule: Schedule.rate(Duration.minutes(1)),
    targets: [new LambdaFunction(fn.function, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
  });
  new Alarm(scope, 'ScheduleBehindAlarm', {
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
function syncStarter(
  scope: Construct,
  id: string,
  table: ITableV2,
  {
    index,
    stateMachineActions,
    stateMachineArn,
    ...props
  }: ServiceFunctionProps & {
    index: string;
    stateMachineActions: string[];
    stateMachineArn: string;
  },
): ServiceFunction {
  const fn = new ServiceFunction(scope, id, props);
  fn.role.addToPolicy(
    new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${index}`] }),
  );
  fn.role.addToPolicy(tableAccess(table, ['GetItem', 'PutItem', 'UpdateItem']));
  fn.role.addToPolicy(new PolicyStatement({ actions: stateMachineActions, resources: [stateMachineArn] }));
  return fn;
}

/** The function behind the sync workflow's steps: the walk, the reconcile, the end, the member checks. */
function syncWorkflowFunction(
  scope: Construct,
  table: ITableV2,
  settings: Pick<ServiceFunctionProps, 'environment' | 'reservedConcurrency' | 'logRetention' | 'alarmTopic'>,
): ServiceFunction {
  const fn = new ServiceFunction(scope, 'SyncWorkflowFunction', {
    ...settings,
    entry: handlerEntry('sync'),
    description:
      'Sync: the sync workflow steps (walk, reconcile, finalize, record failure, check member roles)',
    // A step checkpoints a minute before this; a walk of a large organization takes several.
    timeout: Duration.minutes(15),
    memorySize: 1024,
    errorsAreExpected:
      'Errors are how a step tells the workflow what happened: an interruption is retried from the checkpoint, a refusal becomes a failed run. Failed and timed-out executions alarm, and so do runs failed on an internal error.',
  });
  // BatchGetItem and BatchWriteItem: the member roles' health records, a page at a time.
  fn.role.addToPolicy(
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
  const stack = Stack.of(scope);
  fn.role.addToPolicy(assumeCustomerRoles(stack.partition, stack.account));
  acknowledgeCustomerRoles(fn);
  return fn;
}
