import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from './logger';
import { tracer } from './tracer';

/**
 * A handler as Lambda runs it: traced, and logging with the Lambda context (function, request
 * id, cold start) on every line. Responses stay out of the trace: they can hold customer data.
 */
export function lambdaHandler<E, R>(handle: (event: E, context: Context) => Promise<R>) {
  return middy<E, R, Error, Context>(handle)
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }));
}
