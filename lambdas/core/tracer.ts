import type { Tracer } from '@aws-lambda-powertools/tracer';
import type middy from '@middy/core';

/**
 * X-Ray subsegments for each AWS call, and the keys to search traces by, when the deployment
 * asks for them (`traceAwsCalls`, which sets POWERTOOLS_TRACE_ENABLED to `true`). Lambda, API
 * Gateway and Step Functions trace every request either way; only this detail is optional,
 * because the X-Ray SDK under it costs every cold start about 30 ms to load. So this module
 * requires the Tracer only when asked to: an import would load it in every function.
 */
export const tracer: Tracer | undefined =
  process.env.POWERTOOLS_TRACE_ENABLED === 'true' ? newTracer() : undefined;

function newTracer(): Tracer {
  const powertools =
    require('@aws-lambda-powertools/tracer') as typeof import('@aws-lambda-powertools/tracer');
  // It switches itself off outside Lambda, where there is no X-Ray daemon to send to.
  return new powertools.Tracer({ serviceName: 'aws-org-connections' });
}

/** An AWS SDK v3 client whose calls show in the invocation's trace, when AWS calls are traced. */
export function traced<T>(client: T): T {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}

/** Searchable keys of the trace: the tenant, the integration, the run. */
export function annotateTrace(keys: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(keys)) tracer?.putAnnotation(key, value);
}

/**
 * The middleware that opens a segment per invocation, when AWS calls are traced. Responses stay
 * out of the trace: they can hold customer data.
 */
export function tracingMiddleware(): middy.MiddlewareObj | undefined {
  if (!tracer) return undefined;
  const middleware =
    require('@aws-lambda-powertools/tracer/middleware') as typeof import('@aws-lambda-powertools/tracer/middleware');
  return middleware.captureLambdaHandler(tracer, { captureResponse: false });
}
