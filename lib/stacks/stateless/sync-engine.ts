import { Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { METRICS_NAMESPACE } from '../../../lambdas/core/metrics';
import { handlerEntry } from '../../../lambdas/routes';
import { SYNC_RUNS_FAILED_METRIC } from '../../../lambdas/sync/metrics';
import { placeholder, syncWorkflowDefinition } from '../../../lambdas/sync/workflow';
import type { Environment } from '../../../schemas/environment';
import { ingressEventPattern } from '../../../schemas/ingress';
import { GLOBAL_INDEXES } from '../../../schemas/table';
import { acknowledgeNag } from '../../constructs/nag';
import { ServiceFunction } from '../../constructs/service-function';
import { acknowledgeCustomerRoles, assumeCustomerRoles, tableAccess } from './common';
import { alarmedDeadLetters } from './stream-readers';

/** The workflow's one definition (lambdas/sync/workflow.ts), with this stack's function and partition. */
export function syncStateMachine(
  stack: Stack,
  syncFunction: ServiceFunction,
  stateMachineName: string,
  { logRetention, alarmTopic }: { logRetention: number; alarmTopic: ITopic },
): StateMachine {
  const machine = new StateMachine(stack, 'SyncWorkflow', {
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
      destination: new LogGroup(stack, 'SyncWorkflowLogs', {
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
  alarmOnSyncTrouble(stack, machine, alarmTopic);
  return machine;
}

/**
 * What means trouble in the sync engine. A run that fails on the customer's side (a refused role,
 * a missing permission) ends its execution normally and is the customer's to fix, so it raises
 * nothing; an execution that fails or times out, or a run failed on an error of ours, does.
 */
function alarmOnSyncTrouble(stack: Stack, machine: StateMachine, alarmTopic: ITopic): void {
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
    new Alarm(stack, id, {
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
export function ingressRouter(
  stack: Stack,
  props: { readonly table: ITableV2; readonly ingressBus: IEventBus },
  environment: Environment,
  stateMachineArn: string,
  {
    logRetention,
    alarmTopic,
    reservedConcurrency,
  }: { logRetention: number; alarmTopic: ITopic; reservedConcurrency: number },
): ServiceFunction {
  // Reads the routing index and the sightings, records them, starts or extends runs.
  const fn = syncStarter(stack, 'IngressRouter', props.table, {
    entry: handlerEntry('router'),
    description: 'Router: routes forwarded Organizations events to targeted syncs of their integrations',
    environment: { ...environment, POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE },
    reservedConcurrency,
    logRetention,
    alarmTopic,
    errorsAreExpected: 'A failed event is retried twice, then kept in the dead-letter queue, which alarms.',
    index: GLOBAL_INDEXES.byManagementAccount.indexName,
    stateMachineActions: ['states:StartExecution'],
    stateMachineArn,
  });
  const deadLetters = alarmedDeadLetters(stack, 'Ingress', alarmTopic, {
    of: 'the ingress rule and router',
    alarm: 'Organizations events were not routed; a full sync of the integrations concerned catches up.',
  });
  fn.function.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(deadLetters) });
  new Rule(stack, 'IngressRule', {
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
export function scheduleFanOut(
  stack: Stack,
  props: { readonly table: ITableV2 },
  environment: Environment,
  stateMachineArn: string,
  { logRetention, alarmTopic }: { logRetention: number; alarmTopic: ITopic },
): ServiceFunction {
  const fn = syncStarter(stack, 'ScheduleFanOut', props.table, {
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
  new Rule(stack, 'ScheduleRule', {
    description: 'The schedule tick: starts the re-syncs that are due',
    schedule: Schedule.rate(Duration.minutes(1)),
    targets: [new LambdaFunction(fn.function, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
  });
  new Alarm(stack, 'ScheduleBehindAlarm', {
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
export function syncStarter(
  stack: Stack,
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
  const fn = new ServiceFunction(stack, id, props);
  fn.role.addToPolicy(
    new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${index}`] }),
  );
  fn.role.addToPolicy(tableAccess(table, ['GetItem', 'PutItem', 'UpdateItem']));
  fn.role.addToPolicy(new PolicyStatement({ actions: stateMachineActions, resources: [stateMachineArn] }));
  return fn;
}

/** The function behind the sync workflow's steps: the walk, the reconcile, the end, the member checks. */
export function syncWorkflowFunction(
  stack: Stack,
  props: { readonly table: ITableV2 },
  environment: Environment,
  {
    logRetention,
    alarmTopic,
    reservedConcurrency,
  }: { readonly logRetention: number; readonly alarmTopic: ITopic; readonly reservedConcurrency: number },
): ServiceFunction {
  const fn = new ServiceFunction(stack, 'SyncWorkflowFunction', {
    entry: handlerEntry('sync'),
    description:
      'Sync: the sync workflow steps (walk, reconcile, finalize, record failure, check member roles)',
    environment,
    // A step checkpoints a minute before this; a walk of a large organization takes several.
    timeout: Duration.minutes(15),
    memorySize: 1024,
    errorsAreExpected:
      'Errors are how a step tells the workflow what happened: an interruption is retried from the checkpoint, a refusal becomes a failed run. Failed and timed-out executions alarm, and so do runs failed on an internal error.',
    reservedConcurrency,
    logRetention,
    alarmTopic,
  });
  // BatchGetItem and BatchWriteItem: the member roles' health records, a page at a time.
  fn.role.addToPolicy(
    tableAccess(props.table, [
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
  fn.role.addToPolicy(assumeCustomerRoles(stack.partition, stack.account));
  acknowledgeCustomerRoles(stack, fn);
  return fn;
}
