import { Annotations, CfnOutput, type Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { ArnPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Alias as LambdaAlias } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { METRICS_NAMESPACE } from '../../../lambdas/core/metrics';
import { handlerEntry } from '../../../lambdas/routes';
import type { ConsumerPolicy } from '../../../schemas/credentials';
import type { Environment } from '../../../schemas/environment';
import { ITEM_KEYS } from '../../../schemas/table';
import type { DeploymentConfig } from '../../config';
import { ServiceFunction } from '../../constructs/service-function';
import { TenantTableRole } from '../../constructs/tenant-table-role';
import { acknowledgeCustomerRoles, pascalCase } from './common';

/**
 * The credentials broker, which platform services invoke with Lambda's Invoke API. Each
 * configured consumer gets an alias named after it, and only its principal may invoke that
 * alias; the function itself admits nobody. The alias tells the broker who calls. It may read
 * the table and keep each tenant's STS budget, only as the tenant the payload names, and assume
 * customer roles (never ours) with a SourceIdentity naming a configured consumer and the three
 * session tags it sets.
 */
export function credentialsBroker(
  stack: Stack,
  props: { readonly config: DeploymentConfig; readonly table: ITableV2 },
  environment: Environment,
  alarmTopic: ITopic,
): ServiceFunction {
  const { config, table } = props;
  const consumers = config.credentialConsumers;
  const policies: ConsumerPolicy[] = consumers.map(({ name, access, assertion }) => ({
    name,
    access,
    assertion,
  }));
  for (const consumer of consumers) {
    if (consumer.assertion === 'not-required') {
      Annotations.of(stack).addWarningV2(
        'aws-org-connections:consumer-without-assertion',
        `The credentials consumer ${consumer.name} is trusted without workspace assertions (${consumer.reason}): whatever tenant and workspace it names, within what sharing allows, it gets.`,
      );
    }
  }
  const assertions = config.brokerAssertions;
  const fn = new ServiceFunction(stack, 'CredentialsBroker', {
    entry: handlerEntry('credentials'),
    description:
      'Credentials for platform services: short-lived sessions of the connections a workspace may use',
    environment: {
      ...environment,
      CONSUMER_IDENTITY: 'alias',
      CREDENTIAL_CONSUMERS: JSON.stringify(policies),
      ...(assertions
        ? {
            BROKER_ASSERTION_ISSUER: assertions.issuer,
            BROKER_ASSERTION_JWKS_URI: assertions.jwksUri,
            BROKER_ASSERTION_AUDIENCE: assertions.audience,
          }
        : {}),
      STS_BUDGET_RATE: String(config.credentialsStsBudget.rate),
      STS_BUDGET_BURST: String(config.credentialsStsBudget.burst),
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    },
    logRetention: config.logRetentionDays,
    alarmTopic,
  });
  // The payload names one tenant, so the broker reads the table only as that tenant. GetItem: a
  // handle's claim. BatchGetItem: a connection with its integration, health and read-model
  // entries. The STS budget is the only thing it writes: one attribute of one item, which has a
  // partition of its own so that IAM can hold the write to it.
  new TenantTableRole(fn, 'TenantTable', {
    table,
    actions: ['GetItem', 'BatchGetItem'],
    confinedPartition: {
      actions: ['GetItem', 'UpdateItem'],
      attributes: ['pk', 'sk', 'stsBudgetAt'],
      partitionKey: ITEM_KEYS.stsBudgetPartition,
    },
    user: fn,
  });
  const notOurs = { StringNotEquals: { 'aws:ResourceAccount': stack.account } };
  const customerRoles = [`arn:${stack.partition}:iam::*:role/*`];
  fn.role.addToPolicy(
    new PolicyStatement({ actions: ['sts:AssumeRole'], resources: customerRoles, conditions: notOurs }),
  );
  fn.role.addToPolicy(
    new PolicyStatement({
      actions: ['sts:TagSession'],
      resources: customerRoles,
      conditions: {
        ...notOurs,
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['tenant', 'workspace', 'consumer'] },
      },
    }),
  );
  if (consumers.length > 0) {
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: ['sts:SetSourceIdentity'],
        resources: customerRoles,
        conditions: {
          ...notOurs,
          StringEquals: { 'sts:SourceIdentity': consumers.map((consumer) => consumer.name) },
        },
      }),
    );
  }
  acknowledgeCustomerRoles(stack, fn);
  const brokerArn = fn.function.functionArn;
  new CfnOutput(stack, 'CredentialsBrokerArn', {
    description: 'The credentials broker; each consumer invokes it as <this ARN>:<consumer name>',
    value: brokerArn,
    exportName: `${stack.stackName}-CredentialsBrokerArn`,
  });
  const version = fn.function.currentVersion;
  for (const consumer of consumers) {
    const alias = new LambdaAlias(stack, `CredentialsConsumer${pascalCase(consumer.name)}`, {
      aliasName: consumer.name,
      version,
      description: `The credentials broker, for the consumer ${consumer.name} only`,
    });
    alias.addPermission('InvokeByConsumer', {
      principal: new ArnPrincipal(consumer.principalArn),
      action: 'lambda:InvokeFunction',
    });
  }
  return fn;
}
