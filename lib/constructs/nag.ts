import { Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Acknowledges one cdk-nag AwsSolutions finding on a construct and its children, with the reason. */
export function acknowledgeNag(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${rule}`, reason });
}

/**
 * A stack attribute as cdk-nag prints it in a finding's evidence: its value when the stack's
 * environment is known, `<AWS::Partition>` and the like while it is a token.
 */
export function nagText(value: string, pseudoParameter: string): string {
  return Token.isUnresolved(value) ? `<${pseudoParameter}>` : value;
}
