import { type CfnElement, Names, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * One part of the service (the sync engine, the credentials broker, a stream reader, the API's
 * functions) as a construct with typed props. A unit's own id stays out of the logical ids of
 * what it holds: its resources keep the ids they had when they stood in the stack itself. A new
 * logical id would replace a deployed resource, and replacing one with a fixed name (the sync
 * state machine, the dashboard) fails, since the new one is created before the old is deleted.
 */
export class StackUnit extends Construct {}

/** A stack whose logical ids leave out the units on each resource's path. */
export class UnitStack extends Stack {
  // Two resources that would share an id fail the synth: CDK refuses a section with it twice.
  protected override allocateLogicalId(element: CfnElement): string {
    const scopes = element.node.scopes;
    const path = scopes
      .slice(scopes.indexOf(this) + 1)
      .filter((scope) => !(scope instanceof StackUnit))
      .map((scope) => scope.node.id);
    return logicalIdOf(path);
  }
}

/** CDK's logical id for a path of construct ids below a stack, by way of its public `Names`. */
function logicalIdOf(path: readonly string[]): string {
  let scope = new Construct(undefined as never, '');
  for (const id of path) scope = new Construct(scope, id);
  return Names.uniqueId(scope);
}
