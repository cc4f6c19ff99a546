import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * The one X-Ray tracer: a segment per invocation, a subsegment per AWS call. It switches itself
 * off outside Lambda (the local runtime, the tests), where there is no X-Ray daemon to send to.
 */
export const tracer = new Tracer({ serviceName: 'aws-org-connections' });

/** An AWS SDK v3 client whose calls show in the invocation's trace. */
export function traced<T>(client: T): T {
  return tracer.captureAWSv3Client(client);
}

/** Searchable keys of the trace: the tenant, the integration, the run. */
export function annotateTrace(keys: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(keys)) tracer.putAnnotation(key, value);
}
