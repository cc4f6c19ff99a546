import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from './logger';
import { tracingMiddleware } from './tracer';

/**
 * A handler as Lambda runs it: logging with the Lambda context (function, request id, cold
 * start) on every line, and traced when the deployment traces AWS calls.
 */
export function lambdaHandler<E, R>(handle: (event: E, context: Context) => Promise<R>) {
  const handler = middy<E, R, Error, Context>(handle);
  const tracing = tracingMiddleware();
  if (tracing) handler.use(tracing);
  return handler.use(injectLambdaContext(logger, { resetKeys: true }));
}
