import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONFIG_CONTEXT_KEY, parseDeploymentConfig } from './config';
import { StatefulStack } from './stacks/stateful-stack';
import { StatelessStack } from './stacks/stateless-stack';

export interface OrgConnectionsApp {
  readonly app: App;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/** Builds the two stacks from cdk.json context, with cdk-nag's AWS Solutions checks applied. */
export function buildApp(app: App = new App()): OrgConnectionsApp {
  const config = parseDeploymentConfig(app.node.tryGetContext(CONFIG_CONTEXT_KEY));
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const stateful = new StatefulStack(app, `${config.stackPrefix}-Stateful`, {
    env,
    description: 'aws-org-connections: table and event buses (retained)',
    terminationProtection: true,
  });
  const stateless = new StatelessStack(app, `${config.stackPrefix}-Stateless`, {
    env,
    description: 'aws-org-connections: API, authorizer and functions',
    config,
    table: stateful.table,
    ingressBus: stateful.ingressBus,
    connectionsBus: stateful.connectionsBus,
    templatesBaseUrl: stateful.templatesBaseUrl,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stateful, stateless };
}
