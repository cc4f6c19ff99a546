import { Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { acknowledgeNag, nagText } from './nag';
import type { ServiceFunction } from './service-function';

/** Item-level actions on the table only: no scans, no deletes unless a function needs them. */
export function tableAccess(table: ITableV2, actions: readonly string[]): PolicyStatement {
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
export function assumeCustomerRoles(partition: string, ownAccount: string): PolicyStatement {
  return new PolicyStatement({
    actions: ['sts:AssumeRole'],
    resources: [`arn:${partition}:iam::*:role/*`],
    conditions: { StringNotEquals: { 'aws:ResourceAccount': ownAccount } },
  });
}

/** Grants on customer roles name no account: we cannot list our customers' in advance. */
export function acknowledgeCustomerRoles(fn: ServiceFunction): void {
  const stack = Stack.of(fn);
  acknowledgeNag(
    fn.role,
    `IAM5[Resource::arn:${nagText(stack.partition, 'AWS::Partition')}:iam::*:role/*]`,
    "Customer roles live in any customer's account, so no account can be named; the role's trust policy and its External ID are the gate, and our own account is excluded.",
  );
}

export function pascalCase(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, letter: string) => letter.toUpperCase());
}
