import { type Duration, Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { API_FUNCTIONS, type ApiFunctionName, handlerEntry } from '../../lambdas/routes';
import type { Environment } from '../../schemas/environment';
import type { DeploymentConfig } from '../config';
import { acknowledgeCustomerRoles, assumeCustomerRoles, pascalCase } from './grants';
import { ServiceFunction } from './service-function';
import { StackUnit } from './stack-unit';
import { TenantTableRole } from './tenant-table-role';

/** What each API function is for, the environment it needs and what it may touch. */
interface ApiFunctionSettings {
  readonly description: string;
  readonly environment: Environment;
  /** Grants beyond writing its own logs; none when absent. */
  readonly grant?: (fn: ServiceFunction) => void;
  readonly bundledDirectories?: readonly string[];
}

export interface ApiFunctionsProps {
  readonly table: ITableV2;
  /** The bus the customer's events forwarder targets, which the onboarding answer names. */
  readonly ingressBus: IEventBus;
  /** Where the customer templates are published, ending with `/`. */
  readonly templatesBaseUrl: string;
  /** The account customer roles trust: ours, unless the platform assumes them from another. */
  readonly trustedAccountId: string;
  /** What the sync's functions read; the integrations function starts syncs too. */
  readonly syncEnvironment: Environment;
  /** How often each integration is re-synced: a new one joins the schedule at its own phase. */
  readonly syncInterval: Duration;
  /** How often every member role is checked when nothing changes: the status says when next. */
  readonly memberCheckInterval: Duration;
  /** The sync state machine, which the integrations function starts. */
  readonly stateMachineArn: string;
  /** Origins the API answers CORS requests from. */
  readonly corsAllowedOrigins: readonly string[];
  readonly fairUse: DeploymentConfig['fairUse'];
  /** How long audit entries are kept. */
  readonly auditRetentionDays: number;
  /** Concurrency kept for each API function, also its cap. */
  readonly reservedConcurrency: number;
  readonly logRetention: RetentionDays;
  /** Receives each function's error alarm. */
  readonly alarmTopic: ITopic;
}

/** The API's functions, one per capability, each with its environment and its grants. */
export class ApiFunctions extends StackUnit {
  readonly functions: Readonly<Record<ApiFunctionName, ServiceFunction>>;

  constructor(scope: Construct, id: string, props: ApiFunctionsProps) {
    super(scope, id);
    const settings = apiFunctionSettings(Stack.of(this), props);
    const functions = {} as Record<ApiFunctionName, ServiceFunction>;
    for (const name of API_FUNCTIONS) {
      const { description, environment, grant, bundledDirectories } = settings[name];
      const fn = new ServiceFunction(this, pascalCase(name), {
        entry: handlerEntry(name),
        description,
        bundledDirectories,
        environment: { CORS_ALLOWED_ORIGINS: props.corsAllowedOrigins.join(','), ...environment },
        reservedConcurrency: props.reservedConcurrency,
        logRetention: props.logRetention,
        alarmTopic: props.alarmTopic,
      });
      grant?.(fn);
      functions[name] = fn;
    }
    this.functions = functions;
  }
}

/** What each API function is for, the environment it needs and what it may touch. */
function apiFunctionSettings(
  stack: Stack,
  props: ApiFunctionsProps,
): Record<ApiFunctionName, ApiFunctionSettings> {
  const { table, trustedAccountId, fairUse } = props;
  // The API serves one verified tenant a request, so it reaches the table only as that tenant.
  const tenantTable = (fn: ServiceFunction, actions: readonly string[]) =>
    new TenantTableRole(fn, 'TenantTable', { table, actions, user: fn });

  return {
    'aws-env': {
      description: 'Env check: the backend AWS identity and the trusted account',
      // sts:GetCallerIdentity needs no permission, so this function gets no grant.
      environment: { TRUSTED_ACCOUNT_ID: trustedAccountId, PARTITION: stack.partition },
    },
    onboarding: {
      description: 'Onboarding: External IDs, onboarding links and rendered templates',
      environment: {
        TABLE_NAME: table.tableName,
        TRUSTED_ACCOUNT_ID: trustedAccountId,
        PARTITION: stack.partition,
        TEMPLATES_DIR: '/var/task/templates',
        TEMPLATES_BASE_URL: props.templatesBaseUrl,
        INGRESS_BUS_ARN: props.ingressBus.eventBusArn,
        AUDIT_RETENTION_DAYS: String(props.auditRetentionDays),
      },
      bundledDirectories: ['templates'],
      grant: (fn) => tenantTable(fn, ['GetItem', 'PutItem', 'UpdateItem']),
    },
    integrations: {
      description:
        'Integrations: role tests, integrations, starting syncs and member checks, status, runs and the tree',
      // The templates' address: an outdated role's test answers with an update link.
      environment: {
        ...props.syncEnvironment,
        SYNC_INTERVAL_SECONDS: String(props.syncInterval.toSeconds()),
        MEMBER_CHECK_INTERVAL_SECONDS: String(props.memberCheckInterval.toSeconds()),
        TEMPLATES_BASE_URL: props.templatesBaseUrl,
        FAIR_USE_ROLE_TESTS_PER_MINUTE: String(fairUse.roleTestsPerMinute),
        FAIR_USE_SYNCS_PER_MINUTE: String(fairUse.syncsPerMinute),
        MAX_INTEGRATIONS_PER_TENANT: String(fairUse.maxIntegrationsPerTenant),
        AUDIT_RETENTION_DAYS: String(props.auditRetentionDays),
      },
      grant: (fn) => {
        // DeleteItem: a PATCH moves handle and role claims. ConditionCheckItem: a folder's or
        // connection's PATCH checks that the integration is not being deleted. BatchGetItem:
        // the connections' health beside a page of the tree.
        tenantTable(fn, [
          'GetItem',
          'PutItem',
          'UpdateItem',
          'DeleteItem',
          'ConditionCheckItem',
          'Query',
          'BatchGetItem',
        ]);
        fn.role.addToPolicy(assumeCustomerRoles(stack.partition, stack.account));
        fn.role.addToPolicy(
          new PolicyStatement({ actions: ['states:StartExecution'], resources: [props.stateMachineArn] }),
        );
        acknowledgeCustomerRoles(fn);
      },
    },
    workspaces: {
      description: 'Workspaces: the connections each workspace may use, from the read model',
      environment: { TABLE_NAME: table.tableName },
      grant: (fn) => tenantTable(fn, ['Query']),
    },
    openapi: {
      description: 'The OpenAPI 3.1 document of this API',
      environment: {},
    },
  };
}
