import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** The CloudWatch namespace of the functions' own metrics; the stacks' alarms and dashboard read it. */
export const METRICS_NAMESPACE = 'AwsOrgConnections';

export type MetricDimensions = Readonly<Record<string, string>>;

/** What a function counts and times, each data point with its own dimensions. */
export interface FunctionMetrics {
  count(name: string, value?: number, dimensions?: MetricDimensions): void;
  seconds(name: string, value: number, dimensions?: MetricDimensions): void;
}

/**
 * The metrics of one function (`service` is its dimension), built once at cold start. Each data
 * point is written at once as its own EMF record, so its dimensions never mix with another's,
 * and nothing waits for the end of the invocation.
 */
export function functionMetrics(service: string): FunctionMetrics {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service });
  const publish = (
    name: string,
    unit: Parameters<Metrics['addMetric']>[1],
    value: number,
    dimensions: MetricDimensions = {},
  ) => {
    const single = metrics.singleMetric();
    single.addDimensions({ ...dimensions });
    single.addMetric(name, unit, value);
  };
  return {
    count: (name, value = 1, dimensions) => publish(name, MetricUnit.Count, value, dimensions),
    seconds: (name, value, dimensions) => publish(name, MetricUnit.Seconds, value, dimensions),
  };
}
