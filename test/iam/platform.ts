import {
  type CfnTemplate,
  customerTemplate,
  logicalId,
  PLATFORM,
  platformTemplates,
  type Resolution,
  resolve,
  resourcesOf,
} from './cloudformation';
import type { PolicyDocument } from './evaluator';

/** The consumers the platform is synthesized with: two services in their own accounts. */
export const CONSUMERS = [
  { name: 'query-worker', principalArn: 'arn:aws:iam::111122223333:role/query-worker' },
  { name: 'scanner', principalArn: 'arn:aws:iam::444455556666:role/scanner', access: ['read', 'write'] },
] as const;

const arn = (service: string, resource: string, region: string = PLATFORM.region) =>
  `arn:${PLATFORM.partition}:${service}:${region}:${PLATFORM.account}:${resource}`;

/** What a platform resource's ARN (or Ref) reads as: its logical id stands in for its name. */
function platformResource(template: CfnTemplate) {
  const named = (id: string, attribute: string | null): string => {
    const resource = template.Resources[id];
    if (!resource) throw new Error(`no resource ${id}`);
    switch (resource.Type) {
      case 'AWS::IAM::Role':
        return attribute === null ? id : `arn:${PLATFORM.partition}:iam::${PLATFORM.account}:role/${id}`;
      case 'AWS::Lambda::Function':
        return attribute === null ? id : arn('lambda', `function:${id}`);
      case 'AWS::Lambda::Alias': {
        const properties = resource.Properties as { FunctionName: { Ref: string }; Name: string };
        return arn('lambda', `function:${properties.FunctionName.Ref}:${properties.Name}`);
      }
      case 'AWS::DynamoDB::GlobalTable':
      case 'AWS::DynamoDB::Table':
        return attribute === null ? id : arn('dynamodb', `table/${id}`);
      case 'AWS::Events::EventBus':
        return attribute === null || attribute === 'Name' ? id : arn('events', `event-bus/${id}`);
      default:
        return arn('cloudformation', `resource/${id}`);
    }
  };
  return named;
}

/** The platform as `cdk synth` makes it: its roles' policies and trust, its function and bus policies. */
export function synthesizedPlatform() {
  const { stateful, stateless } = platformTemplates({
    credentialConsumers: CONSUMERS,
    brokerAssertions: {
      issuer: 'https://id.platform.example',
      jwksUri: 'https://id.platform.example/.well-known/jwks.json',
      audience: 'org-connections-broker',
    },
  });
  const statefulHow: Resolution = { ...PLATFORM, resource: platformResource(stateful) };
  const exported = (name: string): string => {
    const output = Object.values(
      (stateful as { Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }> }).Outputs ?? {},
    ).find((candidate) => candidate.Export?.Name === name);
    if (!output) throw new Error(`no export ${name}`);
    return String(resolve(stateful, output.Value, statefulHow));
  };
  const how: Resolution = { ...PLATFORM, resource: platformResource(stateless), imports: exported };
  /** A role by its construct's name: `<name>Role<hash>`. */
  const roleId = (name: string) => {
    const found = resourcesOf(stateless, 'AWS::IAM::Role').filter(([id]) =>
      new RegExp(`^${name}Role[0-9A-F]{8}$`).test(id),
    );
    if (found.length !== 1 || !found[0])
      throw new Error(`expected one role of ${name}, found ${found.length}`);
    return found[0][0];
  };

  return {
    stateful,
    stateless,
    /** A role's ARN, by its construct's name (`Integrations`, `IntegrationsTenantTable`). */
    roleArn: (prefix: string) => String(how.resource?.(roleId(prefix), 'Arn')),
    /** Every policy attached to the role (its inline policies and the Policy resources naming it). */
    policiesOf(prefix: string): PolicyDocument[] {
      const id = roleId(prefix);
      const attached = resourcesOf(stateless, 'AWS::IAM::Policy')
        .filter(([, policy]) =>
          ((policy.Properties?.Roles ?? []) as { Ref: string }[]).some((role) => role.Ref === id),
        )
        .map(([, policy]) => policy.Properties?.PolicyDocument);
      const role = stateless.Resources[id]?.Properties as { Policies?: { PolicyDocument: unknown }[] };
      const inline = (role.Policies ?? []).map((policy) => policy.PolicyDocument);
      return [...attached, ...inline].map((document) => resolve(stateless, document, how) as PolicyDocument);
    },
    trustOf(prefix: string): PolicyDocument {
      const role = stateless.Resources[roleId(prefix)]?.Properties as { AssumeRolePolicyDocument: unknown };
      return resolve(stateless, role.AssumeRolePolicyDocument, how) as PolicyDocument;
    },
    /** The table's ARN, as the functions' policies name it. */
    tableArn: String(
      statefulHow.resource?.(logicalId(stateful, 'AWS::DynamoDB::GlobalTable', 'Table'), 'Arn'),
    ),
    ingressBusArn: String(
      statefulHow.resource?.(logicalId(stateful, 'AWS::Events::EventBus', 'IngressBus'), 'Arn'),
    ),
    /** The ingress bus's resource policy, gathered from its policy resources. */
    ingressBusPolicy(): PolicyDocument {
      const bus = logicalId(stateful, 'AWS::Events::EventBus', 'IngressBus');
      const statements = resourcesOf(stateful, 'AWS::Events::EventBusPolicy')
        .filter(([, policy]) => JSON.stringify(policy.Properties?.EventBusName).includes(bus))
        .map(
          ([, policy]) =>
            resolve(stateful, policy.Properties?.Statement, statefulHow) as Record<string, unknown>,
        );
      return { Version: '2012-10-17', Statement: statements };
    },
    /** The broker's function policy: every permission on the function and its aliases. */
    brokerFunctionPolicy(): PolicyDocument {
      const fn = logicalId(stateless, 'AWS::Lambda::Function', 'CredentialsBroker');
      const statements = resourcesOf(stateless, 'AWS::Lambda::Permission')
        .map(
          ([, permission]) =>
            permission.Properties as { FunctionName: unknown; Principal: string; Action: string },
        )
        .filter((permission) => {
          const target = JSON.stringify(permission.FunctionName);
          return target.includes(fn) || target.includes('CredentialsConsumer');
        })
        .map((permission) => ({
          Effect: 'Allow',
          Principal: { AWS: permission.Principal },
          Action: permission.Action,
          Resource: resolve(stateless, permission.FunctionName, how),
        }));
      return { Version: '2012-10-17', Statement: statements };
    },
    brokerFunctionArn: String(
      how.resource?.(logicalId(stateless, 'AWS::Lambda::Function', 'CredentialsBroker'), 'Arn'),
    ),
  };
}

export type SynthesizedPlatform = ReturnType<typeof synthesizedPlatform>;

/** A customer template's role, resolved as CloudFormation would deploy it in `account`. */
export function customerRole(
  name: string,
  account: string,
  parameters: Readonly<Record<string, string | readonly string[]>>,
) {
  const template = customerTemplate(name);
  const how: Resolution = { account, region: 'us-east-1', partition: PLATFORM.partition, parameters };
  const [id, role] = resourcesOf(template, 'AWS::IAM::Role')[0] ?? [];
  if (!id || !role) throw new Error(`${name} has no role`);
  const properties = role.Properties as {
    RoleName?: unknown;
    AssumeRolePolicyDocument: unknown;
    Policies?: { PolicyDocument: unknown }[];
  };
  const roleName =
    properties.RoleName === undefined ? id : String(resolve(template, properties.RoleName, how));
  return {
    arn: `arn:${PLATFORM.partition}:iam::${account}:role/${roleName}`,
    trust: resolve(template, properties.AssumeRolePolicyDocument, how) as PolicyDocument,
    policies: (properties.Policies ?? []).map(
      (policy) => resolve(template, policy.PolicyDocument, how) as PolicyDocument,
    ),
  };
}
