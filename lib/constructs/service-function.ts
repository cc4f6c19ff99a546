import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { Environment } from '../../schemas/environment';

export interface ServiceFunctionProps {
  /** Path of the function's module, from the project root: `lambdas/functions/<name>.ts`. */
  readonly entry: string;
  readonly description: string;
  /** Variables the handler validates at cold start, named from the one list of them. */
  readonly environment?: Environment;
  /** @default Duration.seconds(29), the API Gateway integration limit */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  readonly logRetention: RetentionDays;
  /** Receives the function's error alarm. */
  readonly alarmTopic: ITopic;
  /**
   * Project directories the handler reads at run time, copied next to the bundle.
   * @default none
   */
  readonly bundledDirectories?: readonly string[];
  /**
   * Concurrency kept for this function alone, which is also the most it may use at once.
   * @default none: it shares the account's unreserved pool
   */
  readonly reservedConcurrency?: number;
  /**
   * Why this function's errors are part of how it works, not trouble, and what alarms instead.
   * Set, the function gets no error alarm.
   * @default none: any error alarms
   */
  readonly errorsAreExpected?: string;
}

/**
 * One Lambda function with this project's defaults: Node.js 22 on arm64, a minified CommonJS
 * bundle built by the local esbuild (never Docker) with its source map beside it, X-Ray tracing
 * of each invocation (and of each AWS call after `traceAwsCalls()`), JSON logs in a log group
 * with a retention, a role with no managed policies, and an alarm on errors.
 */
export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  /** None when its errors are expected (`errorsAreExpected`). */
  readonly errorAlarm: Alarm | undefined;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    if (!/^lambdas\/functions\/[a-z0-9-]+\.ts$/.test(props.entry)) {
      throw new Error(`ServiceFunction entry must be lambdas/functions/<name>.ts, got ${props.entry}`);
    }
    const bundledDirectories = props.bundledDirectories ?? [];
    for (const directory of bundledDirectories) {
      if (!/^[a-z0-9-]+$/.test(directory))
        throw new Error(`bundledDirectories must be top-level names, got ${directory}`);
    }
    const memorySize = props.memorySize ?? 256;
    if (memorySize < 128 || memorySize > 10_240) throw new Error(`memorySize out of range: ${memorySize}`);

    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    // Instead of AWSLambdaBasicExecutionRole: write to this function's own log group only.
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize,
      timeout: props.timeout ?? Duration.seconds(29),
      role: this.role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      // No --enable-source-maps: Node would read and parse the bundle's 3 MB source map at every
      // cold start (about 20 ms). The map ships beside the bundle; docs/operations.md says how to
      // read a stack trace with it.
      environment: {
        POWERTOOLS_SERVICE_NAME: 'aws-org-connections',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_TRACE_ENABLED: 'false',
        ...props.environment,
      },
      bundling: bundlingOf(bundledDirectories),
      ...(props.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrency }),
    });

    Validations.of(this).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions::AwsSolutions-L1',
      reason:
        'Node.js 22 on purpose: the tests and the local runtime run node@22, so production runs the same major.',
    });

    this.errorAlarm = props.errorsAreExpected ? undefined : this.alarmOnErrors(props);
  }

  /**
   * Records an X-Ray subsegment per AWS call, with the tenant, integration and run as
   * annotations. The function then loads the X-Ray SDK at cold start.
   */
  traceAwsCalls(): void {
    this.function.addEnvironment('POWERTOOLS_TRACE_ENABLED', 'true');
  }

  private alarmOnErrors(props: ServiceFunctionProps): Alarm {
    const alarm = new Alarm(this, 'Errors', {
      alarmDescription: `${props.description}: the function failed`,
      metric: this.function.metricErrors({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(props.alarmTopic));
    return alarm;
  }
}

/**
 * esbuild on this machine, never Docker: one minified CommonJS file with its source map, and the
 * directories the handler reads at run time copied beside it.
 */
function bundlingOf(bundledDirectories: readonly string[]): BundlingOptions {
  return {
    // CommonJS, which the runtime loads with require(). An ES module bundle imports Node's
    // `http` through its ES module facade, which reads every export of `http` and so loads
    // Node's fetch (undici), even in a function that never fetches: about 15 ms of its cold start.
    format: OutputFormat.CJS,
    target: 'node22',
    platform: 'node',
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    // The AWS SDK goes into the bundle, its ES modules tree-shaken, rather than loaded from the
    // runtime's CommonJS copy: Node then neither resolves its packages nor scans their exports,
    // which cut the broker's module load by about a third (see docs/performance.md). It also
    // runs the SDK version the tests ran.
    bundleAwsSDK: true,
    forceDockerBundling: false,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir, outputDir) =>
        bundledDirectories.map((directory) => `cp -R "${inputDir}/${directory}" "${outputDir}/${directory}"`),
    },
  };
}
