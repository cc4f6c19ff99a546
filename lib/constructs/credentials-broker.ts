import { Annotations, CfnOutput, Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { ArnPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Alias as LambdaAlias } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../lambdas/core/metrics';
import { handlerEntry } from '../../lambdas/routes';
import type { ConsumerPolicy } from '../../schemas/credentials';
import type { Environment } from '../../schemas/environment';
import { ITEM_KEYS } from '../../schemas/table';
import type { DeploymentConfig } from '../config';
import { acknowledgeCustomerRoles, pascalCase } from './grants';
import { ServiceFunction } from './service-function';
import { StackUnit } from './stack-unit';
import { TenantTableRole } from './tenant-table-role';

export interface CredentialsBrokerProps {
  readonly table: ITableV2;
  /** What the broker reads besides its own settings: the table, the trusted account, the partitions. */
  readonly environment: Environment;
  /** The platform services that may ask, each with its principal, access and assertion rule. */
  readonly consumers: DeploymentConfig['credentialConsumers'];
  /**
   * Who signs the workspace assertions that consumers present.
   * @default none: only consumers trusted without assertions may ask
   */
  readonly assertions?: DeploymentConfig['brokerAssertions'];
  /** Each tenant's budget of AssumeRole calls: tokens a second, and the burst. */
  readonly stsBudget: DeploymentConfig['credentialsStsBudget'];
  readonly logRetention: RetentionDays;
  /** Receives the broker's error alarm. */
  readonly alarmTopic: ITopic;
}

/**
 * The credentials broker, which platform services invoke with Lambda's Invoke API. Each
 * configured consumer gets an alias named after it, and only its principal may invoke that
 * alias; the function itself admits nobody. The alias tells the broker who calls. It may read
 * the table and keep each tenant's STS budget, only as the tenant the payload names, and assume
 * customer roles (never ours) with a SourceIdentity naming a configured consumer and the three
 * session tags it sets.
 */
export class CredentialsBroker extends StackUnit {
  readonly function: ServiceFunction;

  constructor(scope: Construct, id: string, props: CredentialsBrokerProps) {
    super(scope, id);
    const { consumers, assertions } = props;
    if (!assertions && consumers.some((consumer) => consumer.assertion !== 'not-required')) {
      throw new Error('A consumer needs workspace assertions: give the broker who signs them (assertions).');
    }
    this.warnOfConsumersWithoutAssertions(consumers);
    const policies: ConsumerPolicy[] = consumers.map(({ name, access, assertion }) => ({
      name,
      access,
      assertion,
    }));
    this.function = new ServiceFunction(this, 'CredentialsBroker', {
      entry: handlerEntry('credentials'),
      description:
        'Credentials for platform services: short-lived sessions of the connections a workspace may use',
      environment: {
        ...props.environment,
        CONSUMER_IDENTITY: 'alias',
        CREDENTIAL_CONSUMERS: JSON.stringify(policies),
        ...(assertions
          ? {
              BROKER_ASSERTION_ISSUER: assertions.issuer,
              BROKER_ASSERTION_JWKS_URI: assertions.jwksUri,
              BROKER_ASSERTION_AUDIENCE: assertions.audience,
            }
          : {}),
        STS_BUDGET_RATE: String(props.stsBudget.rate),
        STS_BUDGET_BURST: String(props.stsBudget.burst),
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      logRetention: props.logRetention,
      alarmTopic: props.alarmTopic,
    });
    // The payload names one tenant, so the broker reads the table only as that tenant. GetItem: a
    // handle's claim. BatchGetItem: a connection with its integration, health and read-model
    // entries. The STS budget is the only thing it writes: one attribute of one item, which has a
    // partition of its own so that IAM can hold the write to it.
    new TenantTableRole(this.function, 'TenantTable', {
      table: props.table,
      actions: ['GetItem', 'BatchGetItem'],
      confinedPartition: {
        actions: ['GetItem', 'UpdateItem'],
        attributes: ['pk', 'sk', 'stsBudgetAt'],
        partitionKey: ITEM_KEYS.stsBudgetPartition,
      },
      user: this.function,
    });
    this.grantCustomerRoles(consumers);
    new CfnOutput(this, 'CredentialsBrokerArn', {
      description: 'The credentials broker; each consumer invokes it as <this ARN>:<consumer name>',
      value: this.function.function.functionArn,
      exportName: `${Stack.of(this).stackName}-CredentialsBrokerArn`,
    });
    this.aliasPerConsumer(consumers);
  }

  private warnOfConsumersWithoutAssertions(consumers: CredentialsBrokerProps['consumers']): void {
    for (const consumer of consumers) {
      if (consumer.assertion === 'not-required') {
        Annotations.of(Stack.of(this)).addWarningV2(
          'aws-org-connections:consumer-without-assertion',
          `The credentials consumer ${consumer.name} is trusted without workspace assertions (${consumer.reason}): whatever tenant and workspace it names, within what sharing allows, it gets.`,
        );
      }
    }
  }

  /** Customer roles, never ours: assumed with the three session tags, and a consumer's name as SourceIdentity. */
  private grantCustomerRoles(consumers: CredentialsBrokerProps['consumers']): void {
    const { role } = this.function;
    const stack = Stack.of(this);
    const notOurs = { StringNotEquals: { 'aws:ResourceAccount': stack.account } };
    const customerRoles = [`arn:${stack.partition}:iam::*:role/*`];
    role.addToPolicy(
      new PolicyStatement({ actions: ['sts:AssumeRole'], resources: customerRoles, conditions: notOurs }),
    );
    role.addToPolicy(
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
      role.addToPolicy(
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
    acknowledgeCustomerRoles(this.function);
  }

  /** One alias per consumer, which only that consumer's principal may invoke: the alias names the caller. */
  private aliasPerConsumer(consumers: CredentialsBrokerProps['consumers']): void {
    const version = this.function.function.currentVersion;
    for (const consumer of consumers) {
      const alias = new LambdaAlias(this, `CredentialsConsumer${pascalCase(consumer.name)}`, {
        aliasName: consumer.name,
        version,
        description: `The credentials broker, for the consumer ${consumer.name} only`,
      });
      alias.addPermission('InvokeByConsumer', {
        principal: new ArnPrincipal(consumer.principalArn),
        action: 'lambda:InvokeFunction',
      });
    }
  }
}
