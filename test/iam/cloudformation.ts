import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import { buildApp } from '../../lib/app';
import { CONFIG_CONTEXT_KEY } from '../../lib/config';

/** The account, Region and partition the policies are evaluated in: the platform's. */
export const PLATFORM = { account: '123456789012', region: 'us-east-1', partition: 'aws' } as const;

/** A CloudFormation template, as JSON. */
export interface CfnTemplate {
  readonly Parameters?: Record<string, { readonly Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources: Record<
    string,
    { readonly Type: string; readonly Properties?: Record<string, unknown> }
  >;
}

export interface Resolution {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly parameters?: Readonly<Record<string, string | readonly string[]>>;
  /** What `Fn::GetAtt [id, attribute]` and `Ref id` of a resource stand for. */
  readonly resource?: (logicalId: string, attribute: string | null) => string;
  readonly imports?: (name: string) => string;
}

/**
 * Resolves the intrinsic functions the templates use (Ref, Fn::Sub, Fn::Join, Fn::If,
 * Fn::Equals, Fn::Not, Fn::GetAtt, Fn::ImportValue), so that a policy reads as IAM would get it.
 * Anything else fails: a policy the suite cannot read is a policy it cannot prove.
 */
export function resolve(template: CfnTemplate, value: unknown, how: Resolution): unknown {
  const pseudo: Record<string, string> = {
    'AWS::AccountId': how.account,
    'AWS::Region': how.region,
    'AWS::Partition': how.partition,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': 'stack',
  };
  const ref = (name: string): string | readonly string[] => {
    if (name in pseudo) return pseudo[name] as string;
    const parameter = how.parameters?.[name] ?? template.Parameters?.[name]?.Default;
    if (parameter !== undefined) {
      const list =
        (template.Parameters?.[name] as { Type?: string } | undefined)?.Type === 'CommaDelimitedList';
      return list && typeof parameter === 'string'
        ? parameter.split(',')
        : (parameter as string | readonly string[]);
    }
    if (template.Resources[name] && how.resource) return how.resource(name, null);
    throw new Error(`cannot resolve Ref ${name}`);
  };
  const condition = (name: string): boolean => {
    const definition = template.Conditions?.[name];
    if (definition === undefined) throw new Error(`no condition ${name}`);
    return walk(definition) === true;
  };
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const entries = Object.entries(node);
    const [key, argument] = entries[0] ?? [];
    if (entries.length === 1 && key !== undefined && (key === 'Ref' || key.startsWith('Fn::'))) {
      return intrinsic(key, argument);
    }
    if (entries.length === 1 && key === 'Condition' && typeof argument === 'string')
      return condition(argument);
    return Object.fromEntries(entries.map(([name, child]) => [name, walk(child)]));
  };
  const intrinsic = (name: string, argument: unknown): unknown => {
    const args = Array.isArray(argument) ? argument : [argument];
    switch (name) {
      case 'Ref':
        return ref(String(argument));
      case 'Fn::Sub':
        return String(argument).replace(/\$\{([\w:]+)\}/g, (_, variable: string) => String(ref(variable)));
      case 'Fn::Join':
        return [walk(args[1])].flat().map(String).join(String(args[0]));
      case 'Fn::If':
        return condition(String(args[0])) ? walk(args[1]) : walk(args[2]);
      case 'Fn::Equals':
        return JSON.stringify(walk(args[0])) === JSON.stringify(walk(args[1]));
      case 'Fn::Not':
        return !(walk(args[0]) === true);
      case 'Fn::GetAtt': {
        if (!how.resource) throw new Error('no resource names to resolve Fn::GetAtt');
        return how.resource(String(args[0]), String(args[1]));
      }
      case 'Fn::ImportValue': {
        if (!how.imports) throw new Error('no imports to resolve Fn::ImportValue');
        return how.imports(String(walk(argument)));
      }
      default:
        throw new Error(`cannot resolve ${name}`);
    }
  };
  return walk(value);
}

/** A customer template, as the repository publishes it. */
export function customerTemplate(name: string): CfnTemplate {
  return parse(readFileSync(`templates/${name}.yaml`, 'utf8')) as CfnTemplate;
}

/** The two stacks as `cdk synth` makes them (without bundling), with the given settings. */
export function platformTemplates(config: Record<string, unknown>): {
  stateful: CfnTemplate;
  stateless: CfnTemplate;
} {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], [CONFIG_CONTEXT_KEY]: config } });
  const { stateful, stateless } = buildApp(app);
  return {
    stateful: Template.fromStack(stateful).toJSON() as CfnTemplate,
    stateless: Template.fromStack(stateless).toJSON() as CfnTemplate,
  };
}

/** The resources of a type, by logical id. */
export function resourcesOf(template: CfnTemplate, type: string) {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** The one logical id that starts with `prefix` among resources of a type. */
export function logicalId(template: CfnTemplate, type: string, prefix: string): string {
  const found = resourcesOf(template, type).filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1 || !found[0])
    throw new Error(`expected one ${type} named ${prefix}*, found ${found.length}`);
  return found[0][0];
}
