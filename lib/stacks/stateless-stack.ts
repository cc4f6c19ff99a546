import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { API_FUNCTIONS, API_ROUTES, type ApiFunctionName, handlerEntry } from '../../lambdas/routes';
import type { DeploymentConfig } from '../config';
import { ApiAuth } from '../constructs/api-auth';
import { OrgConnectionsApi } from '../constructs/rest-api';
import { ServiceFunction } from '../constructs/service-function';

export interface StatelessStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

/** What each API function is for, the environment it needs and what it may touch. */
interface ApiFunctionSettings {
  readonly description: string;
  readonly environment: Readonly<Record<string, string>>;
  /** Grants beyond writing its own logs; none when absent. */
  readonly grant?: (fn: ServiceFunction) => void;
}

/**
 * Everything that can be replaced freely: the API, its authorizer and the functions. Functions
 * that need the stateful stack's table or buses get them as props, with grants next to them.
 */
export class StatelessStack extends Stack {
  readonly functions: Readonly<Record<ApiFunctionName, ServiceFunction>>;
  readonly api: OrgConnectionsApi;
  readonly auth: ApiAuth;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logRetention = config.logRetentionDays;

    const alarmTopic = new Topic(this, 'Alarms', {
      displayName: 'aws-org-connections alarms',
      enforceSSL: true,
      masterKey: Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
    });
    if (config.alarmEmail) alarmTopic.addSubscription(new EmailSubscription(config.alarmEmail));

    this.auth = new ApiAuth(this, 'Auth', { auth: config.auth, logRetention, alarmTopic });

    const shared = { CORS_ALLOWED_ORIGINS: config.corsAllowedOrigins.join(',') };
    const settings: Record<ApiFunctionName, ApiFunctionSettings> = {
      'aws-env': {
        description: 'C1 env check: the backend AWS identity and the trusted account',
        // sts:GetCallerIdentity needs no permission, so this function gets no grant.
        environment: {
          TRUSTED_ACCOUNT_ID: config.trustedAccountId ?? this.account,
          PARTITION: this.partition,
        },
      },
    };

    const functions = {} as Record<ApiFunctionName, ServiceFunction>;
    for (const name of API_FUNCTIONS) {
      const { description, environment, grant } = settings[name];
      const fn = new ServiceFunction(this, pascalCase(name), {
        entry: handlerEntry(name),
        description,
        environment: { ...shared, ...environment },
        logRetention,
        alarmTopic,
      });
      grant?.(fn);
      functions[name] = fn;
    }
    this.functions = functions;

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
}

function pascalCase(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, letter: string) => letter.toUpperCase());
}
