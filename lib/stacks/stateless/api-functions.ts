import type { Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { API_FUNCTIONS, type ApiFunctionName, handlerEntry } from '../../../lambdas/routes';
import type { Environment } from '../../../schemas/environment';
import type { DeploymentConfig } from '../../config';
import { ServiceFunction } from '../../constructs/service-function';
import { TenantTableRole } from '../../constructs/tenant-table-role';
import { acknowledgeCustomerRoles, assumeCustomerRoles, pascalCase } from './common';

/** What each API function is for, the environment it needs and what it may touch. */
interface ApiFunctionSettings {
  readonly description: string;
  readonly environment: Environment;
  /** Grants beyond writing its own logs; none when absent. */
  readonly grant?: (fn: ServiceFunction) => void;
  readonly bundledDirectories?: readonly string[];
}

/** The API's functions, one per capability, each with its environment and its grants. */
export function apiFunctions(
  stack: Stack,
  context: {
    readonly props: {
      readonly config: DeploymentConfig;
      readonly table: ITableV2;
      readonly ingressBus: IEventBus;
      readonly templatesBaseUrl: string;
    };
    readonly trustedAccountId: string;
    readonly syncEnvironment: Environment;
    readonly scheduleInterval: Environment;
    readonly stateMachineArn: string;
    readonly shared: { readonly logRetention: number; readonly alarmTopic: ITopic };
  },
): Record<ApiFunctionName, ServiceFunction> {
  const { props, trustedAccountId, syncEnvironment, scheduleInterval, stateMachineArn } = context;
  const { config, table } = props;
  const { logRetention, alarmTopic } = context.shared;
  const shared = { CORS_ALLOWED_ORIGINS: config.corsAllowedOrigins.join(',') };
  // The API serves one verified tenant a request, so it reaches the table only as that tenant.
  const tenantTable = (fn: ServiceFunction, actions: readonly string[]) =>
    new TenantTableRole(fn, 'TenantTable', { table, actions, user: fn });

  const settings: Record<ApiFunctionName, ApiFunctionSettings> = {
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
      },
      bundledDirectories: ['templates'],
      grant: (fn) => tenantTable(fn, ['GetItem', 'PutItem', 'UpdateItem']),
    },
    integrations: {
      description:
        'Integrations: role tests, integrations, starting syncs and member checks, status, runs and the tree',
      // The templates' address: an outdated role's test answers with an update link.
      environment: {
        ...syncEnvironment,
        ...scheduleInterval,
        TEMPLATES_BASE_URL: props.templatesBaseUrl,
        FAIR_USE_ROLE_TESTS_PER_MINUTE: String(config.fairUse.roleTestsPerMinute),
        FAIR_USE_SYNCS_PER_MINUTE: String(config.fairUse.syncsPerMinute),
        MAX_INTEGRATIONS_PER_TENANT: String(config.fairUse.maxIntegrationsPerTenant),
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
          new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn] }),
        );
        acknowledgeCustomerRoles(stack, fn);
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

  const functions = {} as Record<ApiFunctionName, ServiceFunction>;
  for (const name of API_FUNCTIONS) {
    const { description, environment, grant, bundledDirectories } = settings[name];
    const fn = new ServiceFunction(stack, pascalCase(name), {
      entry: handlerEntry(name),
      description,
      bundledDirectories,
      environment: { ...shared, ...environment },
      reservedConcurrency: config.concurrency.api,
      logRetention,
      alarmTopic,
    });
    grant?.(fn);
    functions[name] = fn;
  }
  return functions;
}
