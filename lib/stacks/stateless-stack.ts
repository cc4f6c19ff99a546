import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { API_FUNCTIONS, API_ROUTES, type ApiFunctionName, handlerEntry } from '../../lambdas/routes';
import type { DeploymentConfig } from '../config';
import { ApiAuth } from '../constructs/api-auth';
import { acknowledgeNag, nagText } from '../constructs/nag';
import { OrgConnectionsApi } from '../constructs/rest-api';
import { ServiceFunction } from '../constructs/service-function';

export interface StatelessStackProps extends StackProps {
  readonly config: DeploymentConfig;
  readonly table: ITableV2;
  readonly ingressBus: IEventBus;
  /** Where the stateful stack publishes the customer templates, ending with `/`. */
  readonly templatesBaseUrl: string;
}

/** What each API function is for, the environment it needs and what it may touch. */
interface ApiFunctionSettings {
  readonly description: string;
  readonly environment: Readonly<Record<string, string>>;
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
    const settings: Record<ApiFunctionName, ApiFunctionSettings> = {
      'aws-env': {
        description: 'C1 env check: the backend AWS identity and the trusted account',
        // sts:GetCallerIdentity needs no permission, so this function gets no grant.
        environment: { TRUSTED_ACCOUNT_ID: trustedAccountId, PARTITION: this.partition },
      },
      onboarding: {
        description: 'C1 and C2: External IDs, onboarding links and rendered templates',
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
        description: 'C3 and C9: role tests, creating and reading integrations',
        environment: {
          TABLE_NAME: table.tableName,
          TRUSTED_ACCOUNT_ID: trustedAccountId,
          ALLOWED_PARTITIONS: config.allowedPartitions.join(','),
        },
        grant: (fn) => {
          fn.role.addToPolicy(tableAccess(table, ['GetItem', 'PutItem', 'Query']));
          fn.role.addToPolicy(assumeCustomerRoles(this.partition, this.account));
          acknowledgeNag(
            fn.role,
            `IAM5[Resource::arn:${nagText(this.partition, 'AWS::Partition')}:iam::*:role/*]`,
            "Customer roles live in any customer's account, so no account can be named; the role's trust policy and its External ID are the gate, and our own account is excluded.",
          );
        },
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
