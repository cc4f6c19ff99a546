import { Duration, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  ApiKeySourceType,
  AuthorizationType,
  type IAuthorizer,
  type IResource,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  ResponseType,
  RestApi,
  UsagePlan,
} from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { GATEWAY_ERRORS, GATEWAY_RETRY_AFTER_SECONDS } from '../../lambdas/core/errors';
import type { ApiFunctionName, ApiRoute } from '../../lambdas/routes';
import type { EnvName } from '../../schemas/environment';
import { acknowledgeNag, nagText } from './nag';
import type { ServiceFunction } from './service-function';

export interface OrgConnectionsApiProps {
  readonly routes: readonly ApiRoute[];
  readonly functions: Readonly<Record<ApiFunctionName, ServiceFunction>>;
  readonly authorizer: IAuthorizer;
  readonly corsAllowedOrigins: readonly string[];
  readonly logRetention: RetentionDays;
  readonly alarmTopic: ITopic;
  /** Each tenant's requests, on every route: the usage plan's default tier. */
  readonly tenantRequests: { readonly ratePerSecond: number; readonly burst: number };
}

/** The stage every route is served from: `https://<api>/live/v1/...`. */
export const STAGE_NAME = 'live';

/**
 * The REST API: one method per route of the shared route list, every one behind the JWT
 * authorizer, with access logs, tracing, throttling, our error envelope on gateway errors,
 * and an alarm on server errors.
 */
export class OrgConnectionsApi extends Construct {
  readonly api: RestApi;
  /** The usage plan every tenant's API key is enrolled in, by the authorizer. */
  readonly usagePlanName: string;

  constructor(scope: Construct, id: string, props: OrgConnectionsApiProps) {
    super(scope, id);
    if (props.routes.length === 0) throw new Error('OrgConnectionsApi needs at least one route');

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.api = new RestApi(this, 'Api', {
      description: 'aws-org-connections REST API',
      cloudWatchRole: true,
      deployOptions: {
        stageName: STAGE_NAME,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: MethodLoggingLevel.INFO,
        dataTraceEnabled: false,
        // The whole stage's ceiling; each tenant has its own share below it (the usage plan).
        throttlingRateLimit: 100,
        throttlingBurstLimit: 200,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
      },
      // The authorizer names the tenant's key; a client's x-api-key header counts for nothing.
      apiKeySourceType: ApiKeySourceType.AUTHORIZER,
      // No origin configured: no preflight, so browsers let no other origin call.
      ...(props.corsAllowedOrigins.length === 0
        ? {}
        : {
            defaultCorsPreflightOptions: {
              allowOrigins: [...props.corsAllowedOrigins],
              allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key'],
              exposeHeaders: ['ETag', 'Location', 'Retry-After', 'x-amzn-RequestId'],
              maxAge: Duration.hours(1),
            },
          }),
    });

    this.addGatewayResponses(props.corsAllowedOrigins);
    this.addRoutes(props);
    this.usagePlanName = `${Stack.of(this).stackName}-default-tier`;
    new UsagePlan(this, 'DefaultTier', {
      name: this.usagePlanName,
      description: "Each tenant's requests, under the tenant's own API key",
      throttle: { rateLimit: props.tenantRequests.ratePerSecond, burstLimit: props.tenantRequests.burst },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    this.acknowledgeFindings();
    this.alarmOnServerErrors(props.alarmTopic);
  }

  /** Our error envelope on the answers API Gateway gives itself: 401, 403, unknown routes, 5xx. */
  private addGatewayResponses(corsAllowedOrigins: readonly string[]): void {
    // A gateway response cannot pick one of several origins, so it echoes the caller's; it
    // carries no data, only the error envelope.
    const allowOrigin = corsAllowedOrigins.includes('*') ? "'*'" : 'method.request.header.Origin';
    const corsHeaders: Record<string, string> =
      corsAllowedOrigins.length === 0 ? {} : { 'Access-Control-Allow-Origin': allowOrigin };
    const gatewayResponses = [
      { type: ResponseType.UNAUTHORIZED, error: GATEWAY_ERRORS.unauthorized },
      { type: ResponseType.ACCESS_DENIED, error: GATEWAY_ERRORS.unauthorized },
      // API Gateway answers an unknown route with 403 "Missing Authentication Token".
      { type: ResponseType.MISSING_AUTHENTICATION_TOKEN, error: GATEWAY_ERRORS.routeNotFound },
      { type: ResponseType.DEFAULT_5XX, error: GATEWAY_ERRORS.internal },
      // The stage's throttling, and a tenant's usage plan: when to retry, as the functions say it.
      {
        type: ResponseType.THROTTLED,
        error: GATEWAY_ERRORS.throttled,
        headers: { 'Retry-After': `'${GATEWAY_RETRY_AFTER_SECONDS}'` },
      },
      // A key the authorizer named is not in the plan: ours to mend, not the caller's.
      { type: ResponseType.INVALID_API_KEY, error: GATEWAY_ERRORS.internal },
    ];
    for (const { type, error, headers } of gatewayResponses) {
      const responseHeaders = { ...corsHeaders, ...headers };
      this.api.addGatewayResponse(`${type.responseType}Response`, {
        type,
        statusCode: String(error.status),
        ...(Object.keys(responseHeaders).length === 0 ? {} : { responseHeaders }),
        templates: {
          'application/json': JSON.stringify({
            error: { code: error.code, message: error.message, requestId: '$context.requestId' },
          }),
        },
      });
    }
  }

  /** One method per route, each behind the authorizer; a function's routes share its integration. */
  private addRoutes(props: OrgConnectionsApiProps): void {
    const integrations = new Map<ApiFunctionName, LambdaIntegration>();
    for (const route of props.routes) {
      let integration = integrations.get(route.function);
      if (!integration) {
        integration = new LambdaIntegration(props.functions[route.function].function);
        integrations.set(route.function, integration);
      }
      // Every route with a tenant counts against the tenant's usage plan key.
      const method = resourceFor(this.api.root, route.path).addMethod(
        route.method,
        integration,
        route.public
          ? { authorizationType: AuthorizationType.NONE }
          : { authorizer: props.authorizer, apiKeyRequired: true },
      );
      if (route.public) {
        const reason = 'The API description is public on purpose: it holds no tenant data.';
        acknowledgeNag(method, 'APIG4', reason);
        acknowledgeNag(method, 'COG4', reason);
      }
    }
  }

  /**
   * Lets the authorizer enrol each tenant's API key in the usage plan, which it finds by name:
   * reading keys and plans, making a key, adding a key to a plan. Nothing else of API Gateway.
   */
  grantUsageKeys(authorizer: ServiceFunction): void {
    const stack = Stack.of(this);
    const apigateway = (path: string) =>
      stack.formatArn({ service: 'apigateway', account: '', resource: path });
    authorizer.function.addEnvironment('USAGE_PLAN_NAME' satisfies EnvName, this.usagePlanName);
    authorizer.role.addToPolicy(
      new PolicyStatement({
        actions: ['apigateway:GET'],
        resources: [apigateway('/apikeys'), apigateway('/usageplans')],
      }),
    );
    authorizer.role.addToPolicy(
      new PolicyStatement({
        actions: ['apigateway:POST'],
        resources: [apigateway('/apikeys'), apigateway('/usageplans/*/keys')],
      }),
    );
    acknowledgeNag(
      authorizer.role,
      `IAM5[Resource::arn:${nagText(stack.partition, 'AWS::Partition')}:apigateway:${nagText(stack.region, 'AWS::Region')}::/usageplans/*/keys]`,
      "The plan is found by name at run time: naming its id would make the authorizer depend on the stage it guards. The only write is adding a key to a plan, and the account's plans are the API's.",
    );
  }

  /** cdk-nag findings that are decisions, each with its reason. */
  private acknowledgeFindings(): void {
    const acknowledge = (id: string, reason: string) =>
      Validations.of(this).acknowledge({ id: `AwsSolutions::${id}`, reason });
    acknowledge(
      'AwsSolutions-APIG2',
      'Each handler validates its input with zod and answers VALIDATION_FAILED naming the fields; API Gateway validation would answer with a generic body instead.',
    );
    acknowledge(
      'AwsSolutions-COG4',
      'A Lambda TOKEN authorizer verifies the Cognito (or external) JWT, so that every route reads the tenant from the same verified claims.',
    );
    acknowledge(
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      "The account-level role that lets API Gateway write execution logs; AWS's managed policy is the documented one.",
    );
    acknowledge(
      'AwsSolutions-APIG3',
      'A WAF web ACL is account- and threat-specific; operators attach their own. The stage throttles requests meanwhile.',
    );
  }

  private alarmOnServerErrors(alarmTopic: ITopic): void {
    new Alarm(this, 'ServerErrors', {
      alarmDescription: 'The API answered with 5xx',
      metric: this.api.metricServerError({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new SnsAction(alarmTopic));
  }
}

function resourceFor(root: IResource, path: string): IResource {
  return path
    .split('/')
    .filter(Boolean)
    .reduce((parent, part) => parent.getResource(part) ?? parent.addResource(part), root);
}
