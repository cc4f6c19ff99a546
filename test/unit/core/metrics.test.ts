import { functionMetrics, METRICS_NAMESPACE } from '../../../lambdas/core/metrics';

/** The EMF records written to stdout while `act` runs. */
function recordsOf(act: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    act();
  } finally {
    write.mockRestore();
  }
  return lines
    .flatMap((text) => text.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("a function's metrics", () => {
  it('writes each data point at once, in our namespace, with its service and its own dimensions', () => {
    const metrics = functionMetrics('sync');

    const records = recordsOf(() => {
      metrics.count('SyncRunsFailed', 1, { code: 'ROLE_REFUSED' });
      metrics.seconds('SyncDuration', 12.5, { trigger: 'schedule' });
    });

    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ service: 'sync', code: 'ROLE_REFUSED', SyncRunsFailed: 1 });
    expect(records[0]).not.toHaveProperty('trigger');
    expect(records[1]).toMatchObject({ service: 'sync', trigger: 'schedule', SyncDuration: 12.5 });
    expect(records[1]?._aws).toMatchObject({
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [['service', 'trigger']],
          Metrics: [{ Name: 'SyncDuration', Unit: 'Seconds' }],
        },
      ],
    });
  });
});
