/**
 * Every REST route and the function that serves it. The CDK stack builds API Gateway from this
 * list and the local server routes by it, so the two cannot drift apart.
 */
export const API_FUNCTIONS = ['aws-env', 'onboarding', 'integrations'] as const;

export type ApiFunctionName = (typeof API_FUNCTIONS)[number];

export interface ApiRoute {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** API Gateway resource path, with `{name}` path parameters. */
  readonly path: string;
  readonly function: ApiFunctionName;
}

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'GET', path: '/v1/aws/env', function: 'aws-env' },
  { method: 'GET', path: '/v1/aws/onboarding', function: 'onboarding' },
  { method: 'POST', path: '/v1/aws/onboarding/external-id', function: 'onboarding' },
  { method: 'GET', path: '/v1/aws/templates/{name}', function: 'onboarding' },
  { method: 'POST', path: '/v1/aws/test-connection', function: 'integrations' },
  { method: 'POST', path: '/v1/integrations', function: 'integrations' },
  { method: 'GET', path: '/v1/integrations', function: 'integrations' },
  { method: 'GET', path: '/v1/integrations/{id}', function: 'integrations' },
];

/** Where each function's handler lives: `lambdas/<name>/handler.ts`, exporting `handler`. */
export function handlerEntry(name: string): string {
  return `lambdas/${name}/handler.ts`;
}
