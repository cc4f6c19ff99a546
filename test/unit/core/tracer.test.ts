import { STSClient } from '@aws-sdk/client-sts';

/** The tracer reads its environment when its module loads, as in a Lambda cold start. */
async function loadTracer(env: Record<string, string | undefined>) {
  jest.resetModules();
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

describe('the tracer', () => {
  it('captures an AWS client in Lambda, so its calls show in the trace', async () => {
    const { traced, tracer } = await loadTracer({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' });

    const client = traced(new STSClient({ region: 'us-east-1' }));

    expect(tracer.isTracingEnabled()).toBe(true);
    expect(middlewareOf(client)).toMatch(/XRay/i);
  });

  it('leaves clients alone outside Lambda (the local runtime and the tests)', async () => {
    const { traced, tracer } = await loadTracer({ AWS_EXECUTION_ENV: undefined });

    const client = traced(new STSClient({ region: 'us-east-1' }));

    expect(tracer.isTracingEnabled()).toBe(false);
    expect(middlewareOf(client)).not.toMatch(/XRay/i);
  });
});
