import { Duration, type Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  type IWidget,
  MathExpression,
  Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { METRICS_NAMESPACE } from '../../../lambdas/core/metrics';
import {
  MEMBER_CHECK_METRIC,
  SYNC_RUN_METRICS,
  SYNC_RUNS_FAILED_METRIC,
} from '../../../lambdas/sync/metrics';
import { ServiceFunction } from '../../constructs/service-function';

const PERIOD = Duration.minutes(5);
const WIDE = 12;

/** Every series of our namespace with these dimensions that the query matches, summed. */
function search(dimensions: string, query: string, label: string): MathExpression {
  return new MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},${dimensions}} ${query}', 'Sum', ${PERIOD.toSeconds()})`,
    label,
    period: PERIOD,
  });
}

/** A row: widgets side by side. */
type Row = IWidget[];

/** The title, and every alarm's state. */
function alarmRows(alarms: Alarm[]): Row[] {
  return [
    [
      new TextWidget({
        markdown:
          "# aws-org-connections\nEach alarm's description says what it means and what to do; `docs/operations.md` has them all.",
        width: 24,
        height: 2,
      }),
    ],
    [new AlarmStatusWidget({ title: 'Alarms', alarms, width: 24, height: 4 })],
  ];
}

/** The REST API: requests, errors and latency. */
function apiRow(api: RestApi): Row {
  return [
    new GraphWidget({
      title: 'API: requests and errors',
      left: [api.metricCount({ period: PERIOD }), api.metricClientError({ period: PERIOD })],
      right: [api.metricServerError({ period: PERIOD })],
      width: WIDE,
    }),
    new GraphWidget({
      title: 'API: latency (p50, p99)',
      left: [
        api.metricLatency({ period: PERIOD, statistic: 'p50' }),
        api.metricLatency({ period: PERIOD, statistic: 'p99' }),
      ],
      width: WIDE,
    }),
  ];
}

/** Every function: errors, duration and throttles. */
function functionsRow(functions: ServiceFunction[]): Row {
  const byFunction = (metric: (fn: ServiceFunction) => IMetric) => functions.map(metric);
  return [
    new GraphWidget({
      title: 'Functions: errors (refused tokens and retried steps included)',
      left: byFunction((fn) => fn.function.metricErrors({ period: PERIOD, label: fn.node.id })),
      width: WIDE,
    }),
    new GraphWidget({
      title: 'Functions: duration p99 and throttles',
      left: byFunction((fn) =>
        fn.function.metricDuration({ period: PERIOD, statistic: 'p99', label: fn.node.id }),
      ),
      right: byFunction((fn) =>
        fn.function.metricThrottles({ period: PERIOD, label: `${fn.node.id} throttles` }),
      ),
      width: WIDE,
    }),
  ];
}

/** The sync engine: its executions, the runs that failed, and what complete runs did. */
function syncRows(syncWorkflow: StateMachine): Row[] {
  return [
    [
      new GraphWidget({
        title: 'Sync workflow: executions',
        left: [
          syncWorkflow.metricStarted({ period: PERIOD }),
          syncWorkflow.metricSucceeded({ period: PERIOD }),
          syncWorkflow.metricFailed({ period: PERIOD }),
          syncWorkflow.metricTimedOut({ period: PERIOD }),
        ],
        width: WIDE,
      }),
      new GraphWidget({
        title: 'Sync runs failed, by code',
        left: [search('service,code', `MetricName="${SYNC_RUNS_FAILED_METRIC}"`, 'failed runs')],
        width: WIDE,
      }),
    ],
    Object.entries({
      'Sync runs: seconds, by trigger': SYNC_RUN_METRICS.duration,
      'Sync runs: Organizations calls, by trigger': SYNC_RUN_METRICS.organizationsCalls,
      'Sync runs: Organizations calls throttled, by trigger': SYNC_RUN_METRICS.organizationsThrottles,
      'Sync runs: folders and connections changed, by trigger': SYNC_RUN_METRICS.changes,
    }).map(
      ([title, metricName]) =>
        new GraphWidget({
          title,
          left: [search('service,trigger', `MetricName="${metricName}"`, metricName)],
          width: 6,
        }),
    ),
  ];
}

/** What the API and the checks counted: role tests, member roles, published events. */
function outcomesRow(): Row {
  return [
    new GraphWidget({
      title: 'Role tests, by outcome',
      left: [search('service,outcome', 'MetricName="RoleTests"', 'role tests')],
      width: 8,
    }),
    new GraphWidget({
      title: 'Member roles at the end of each check, by status',
      left: [search('service,status', `MetricName="${MEMBER_CHECK_METRIC}"`, 'member roles')],
      width: 8,
    }),
    new GraphWidget({
      title: 'Publisher: events published and given back to the stream',
      left: [search('service', 'service="publisher"', 'events')],
      width: 8,
    }),
  ];
}

/** The table stream's readers, and the dead-letter queues behind them. */
function streamsRow(readers: ServiceFunction[], queues: Queue[]): Row {
  return [
    new GraphWidget({
      title: "Table stream: the oldest record's age (ms)",
      left: readers.map((fn) =>
        fn.function.metric('IteratorAge', { statistic: 'Maximum', period: PERIOD, label: fn.node.id }),
      ),
      width: WIDE,
    }),
    new GraphWidget({
      title: 'Dead-letter queues: messages',
      left: queues.map((queue) =>
        queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, label: queue.node.id }),
      ),
      width: WIDE,
    }),
  ];
}

/** What sets syncs off and what platform services ask: the router, the schedule, the broker. */
function triggersRow(): Row {
  return [
    new GraphWidget({
      title: 'Router: forwarded events',
      left: [search('service', 'service="router"', 'events')],
      width: 8,
    }),
    new GraphWidget({
      title: 'Schedule: ticks that left syncs due',
      left: [
        new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: 'ScheduleBehind',
          dimensionsMap: { service: 'schedule' },
          statistic: 'Sum',
          period: PERIOD,
        }),
      ],
      width: 8,
    }),
    new GraphWidget({
      title: 'Credentials broker: issued and refused',
      left: [
        search('service,cached', 'MetricName="CredentialsIssued"', 'issued'),
        search('service,code', 'MetricName="CredentialsRefused"', 'refused'),
      ],
      width: 8,
    }),
  ];
}

/**
 * One CloudWatch dashboard for the service: the alarms' states first, then the API, the
 * functions, the sync engine, the streams and their queues, and the functions' own counts.
 * Built last, from what the stack holds, so a new function, queue or alarm appears on it.
 */
export function serviceDashboard(
  stack: Stack,
  parts: { api: RestApi; syncWorkflow: StateMachine },
): Dashboard {
  const everything = stack.node.findAll();
  const functions = everything.filter((c): c is ServiceFunction => c instanceof ServiceFunction);
  const queues = everything.filter((c): c is Queue => c instanceof Queue);
  const alarms = everything.filter((c): c is Alarm => c instanceof Alarm);
  const readers = functions.filter((fn) => ['OutboxPublisher', 'ShareProjector'].includes(fn.node.id));
  const dashboard = new Dashboard(stack, 'Dashboard', {
    dashboardName: `${stack.stackName}-service`,
    defaultInterval: Duration.hours(6),
  });
  const rows: Row[] = [
    ...alarmRows(alarms),
    apiRow(parts.api),
    functionsRow(functions),
    ...syncRows(parts.syncWorkflow),
    outcomesRow(),
    streamsRow(readers, queues),
    triggersRow(),
  ];
  for (const row of rows) dashboard.addWidgets(...row);
  return dashboard;
}
