import { Duration, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  type IAuthorizer,
  type IResource,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { GATEWAY_ERRORS } from '../../lambdas/core/errors';
import type { ApiFunctionName, ApiRoute } from '../../lambdas/routes';
import { acknowledgeNag } from './nag';
import type { ServiceFunction } from './service-function';

export interface OrgConnectionsApiProps {
  readonly routes: readonly ApiRoute[];
  readonly functions: Readonly<Record<ApiFunctionName, ServiceFunction>>;
  readonly authorizer: IAuthorizer;
  readonly corsAllowedOrigins: readonly string[];
  readonly logRetention: RetentionDays;
  readonly alarmTopic: ITopic;
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
        throttlingRateLimit: 100,
        throttlingBurstLimit: 200,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
      },
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
    this.acknowledgeFindings();
    this.alarmOnServerErrors(props.alarmTopic);
  }

  /** Our error envelope on the answers API Gateway gives itself: 401, 403, unknown routes, 5xx. */
  private addGatewayResponses(corsAllowedOrigins: readonly string[]): void {
    // A gateway response cannot pick one of several origins, so it echoes the caller's; it
    // carries no data, only the error envelope.
    const allowOrigin = corsAllowedOrigins.includes('*') ? "'*'" : 'method.request.header.Origin';
    const corsHeaders =
      corsAllowedOrigins.length === 0 ? undefined : { 'Access-Control-Allow-Origin': allowOrigin };
    const gatewayResponses = [
      { type: ResponseType.UNAUTHORIZED, error: GATEWAY_ERRORS.unauthorized },
      { type: ResponseType.ACCESS_DENIED, error: GATEWAY_ERRORS.unauthorized },
      // API Gateway answers an unknown route with 403 "Missing Authentication Token".
      { type: ResponseType.MISSING_AUTHENTICATION_TOKEN, error: GATEWAY_ERRORS.routeNotFound },
      { type: ResponseType.DEFAULT_5XX, error: GATEWAY_ERRORS.internal },
      { type: ResponseType.THROTTLED, error: GATEWAY_ERRORS.throttled },
    ];
    for (const { type, error } of gatewayResponses) {
      this.api.addGatewayResponse(`${type.responseType}Response`, {
        type,
        statusCode: String(error.status),
        responseHeaders: corsHeaders,
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
      const method = resourceFor(this.api.root, route.path).addMethod(
        route.method,
        integration,
        route.public ? { authorizationType: AuthorizationType.NONE } : { authorizer: props.authorizer },
      );
      if (route.public) {
        const reason = 'The API description is public on purpose: it holds no tenant data.';
        acknowledgeNag(method, 'APIG4', reason);
        acknowledgeNag(method, 'COG4', reason);
      }
    }
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
