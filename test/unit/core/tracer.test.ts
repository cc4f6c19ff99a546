import { STSClient } from '@aws-sdk/client-sts';
import type { Context } from 'aws-lambda';

/** Counts each time a module loads the Powertools Tracer, and with it the X-Ray SDK. */
const tracerLoads = jest.fn();

/** The tracer reads its environment when its module loads, as in a Lambda cold start. */
async function loadTracer(env: Record<string, string | undefined>) {
  jest.resetModules();
  tracerLoads.mockClear();
  jest.doMock('@aws-lambda-powertools/tracer', () => {
    tracerLoads();
    return jest.requireActual('@aws-lambda-powertools/tracer');
  });
  const saved = { ...process.env };
  Object.assign(process.env, env);
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete process.env[key];
  try {
    return await import('../../../lambdas/core/tracer');
  } finally {
    process.env = saved;
  }
}

const middlewareOf = (client: STSClient) => client.middlewareStack.identify().join(' ');
const IN_LAMBDA = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' };

describe('the tracer', () => {
  it('captures an AWS client in Lambda when the deployment traces AWS calls', async () => {
    const { traced, tracer } = await loadTracer({ ...IN_LAMBDA, POWERTOOLS_TRACE_ENABLED: 'true' });

    const client = traced(new STSClient({ region: 'us-east-1' }));

    expect(tracer?.isTracingEnabled()).toBe(true);
    expect(middlewareOf(client)).toMatch(/XRay/i);
    expect(tracerLoads).toHaveBeenCalledTimes(1);
  });

  it('opens a segment per invocation when the deployment traces AWS calls', async () => {
    const { tracingMiddleware } = await loadTracer({ ...IN_LAMBDA, POWERTOOLS_TRACE_ENABLED: 'true' });

    const middleware = tracingMiddleware();

    expect(middleware?.before).toBeInstanceOf(Function);
    expect(middleware?.after).toBeInstanceOf(Function);
  });

  it('does not load the X-Ray SDK when the deployment does not trace AWS calls', async () => {
    const { traced, tracer, tracingMiddleware, annotateTrace } = await loadTracer({
      ...IN_LAMBDA,
      POWERTOOLS_TRACE_ENABLED: 'false',
    });

    const client = traced(new STSClient({ region: 'us-east-1' }));
    annotateTrace({ tenantId: 'acme' });

    expect(tracer).toBeUndefined();
    expect(tracingMiddleware()).toBeUndefined();
    expect(middlewareOf(client)).not.toMatch(/XRay/i);
    expect(tracerLoads).not.toHaveBeenCalled();
  });

  it('leaves clients alone outside Lambda (the local runtime and the tests), even when asked to trace', async () => {
    const { traced, tracer } = await loadTracer({
      AWS_EXECUTION_ENV: undefined,
      POWERTOOLS_TRACE_ENABLED: 'true',
    });

    const client = traced(new STSClient({ region: 'us-east-1' }));

    expect(tracer?.isTracingEnabled()).toBe(false);
    expect(middlewareOf(client)).not.toMatch(/XRay/i);
  });

  it('runs a handler untraced when the deployment does not trace AWS calls', async () => {
    await loadTracer({ ...IN_LAMBDA, POWERTOOLS_TRACE_ENABLED: 'false' });
    const { lambdaHandler } = await import('../../../lambdas/core/lambda-handler');
    const context = { functionName: 'fn', awsRequestId: 'req-1' } as Context;

    const answer = await lambdaHandler(async (event: { n: number }) => event.n + 1)({ n: 1 }, context);

    expect(answer).toBe(2);
    expect(tracerLoads).not.toHaveBeenCalled();
  });
});
