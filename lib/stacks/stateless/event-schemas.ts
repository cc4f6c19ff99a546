import type { Stack } from 'aws-cdk-lib';
import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import { DETAIL_TYPES, eventJsonSchemas } from '../../../schemas/events';

/** The events' schemas, in EventBridge's registry, so consumers can download code bindings. */
export function registerEventSchemas(stack: Stack): void {
  const registry = new CfnRegistry(stack, 'EventSchemas', {
    description: 'Connection-change events of aws-org-connections',
  });
  const schemas = eventJsonSchemas();
  for (const type of DETAIL_TYPES) {
    const schema = new CfnSchema(stack, `Schema${type.replaceAll(' ', '')}`, {
      registryName: registry.attrRegistryName,
      schemaName: `aws-org-connections@${type.replaceAll(' ', '')}`,
      type: 'JSONSchemaDraft4',
      description: `The detail of "${type}"`,
      content: JSON.stringify(schemas[type]),
    });
    schema.addResourceDependency(registry);
  }
}
