import { logger } from '../../../lambdas/core/logger';
import type { MemberCheckService } from '../../../lambdas/health/service';
import type { SyncMetrics } from '../../../lambdas/sync/metrics';
import type { SyncService } from '../../../lambdas/sync/service';

const REF = {
  tenantId: 'acme',
  integrationId: '0b5f3c8e-2f7a-4d8e-9a57-3c0e1f6f2a10',
  runId: '20261130T120000000Z-0a1b2c3d',
  correlationId: '6f1c2b9e-3d4a-4c8e-9f2b-7a5d1e0c4b31',
};

const NO_METRICS: SyncMetrics = {
  runFailed: () => undefined,
  membersChecked: () => undefined,
  runCompleted: () => undefined,
};

/** The handler module reads its environment at import, as Lambda loads it. */
async function loadHandlerModule() {
  Object.assign(process.env, {
    TABLE_NAME: 'table',
    TRUSTED_ACCOUNT_ID: '123456789012',
    ALLOWED_PARTITIONS: 'aws',
    STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:sync',
    AWS_REGION: 'us-east-1',
  });
  return import('../../../lambdas/functions/sync');
}

describe('the sync workflow handler', () => {
  it('counts a failed run by its code, after recording it', async () => {
    const { createHandler } = await loadHandlerModule();
    const recorded: string[] = [];
    const failed: string[] = [];
    const service = {
      fail: async (_ref: unknown, error: { code: string }) => {
        recorded.push(error.code);
        return { next: null };
      },
    } as unknown as SyncService;
    const handler = createHandler(service, {} as MemberCheckService, {
      ...NO_METRICS,
      runFailed: (code) => failed.push(code),
    });

    await handler(
      {
        action: 'fail',
        ref: REF,
        error: { Error: 'ROLE_NOT_ASSUMABLE', Cause: '{"message":"refused","hint":null}' },
      },
      { getRemainingTimeInMillis: () => 60_000 },
    );

    expect(recorded).toEqual(['ROLE_NOT_ASSUMABLE']);
    expect(failed).toEqual(['ROLE_NOT_ASSUMABLE']);
  });

  it('counts nothing when the failure could not be recorded, so the workflow retries it', async () => {
    const { createHandler } = await loadHandlerModule();
    const failed: string[] = [];
    const service = {
      fail: async () => {
        throw new Error('table unavailable');
      },
    } as unknown as SyncService;
    const handler = createHandler(service, {} as MemberCheckService, {
      ...NO_METRICS,
      runFailed: (code) => failed.push(code),
    });

    await expect(
      handler(
        { action: 'fail', ref: REF, error: { Error: 'INTERNAL_ERROR' } },
        { getRemainingTimeInMillis: () => 60_000 },
      ),
    ).rejects.toThrow();
    expect(failed).toEqual([]);
  });

  it('names every line an action logs, its services’ too, by the run and what set it off', async () => {
    const { createHandler } = await loadHandlerModule();
    const service = {
      fail: async () => {
        logger.info('a line of the service');
        return { next: null };
      },
    } as unknown as SyncService;
    const handler = createHandler(service, {} as MemberCheckService, NO_METRICS);
    const written: string[] = [];
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    const streams = [process.stdout, process.stderr].map((stream) =>
      jest.spyOn(stream, 'write').mockImplementation(capture),
    );
    logger.setLogLevel('INFO');
    try {
      await handler(
        { action: 'fail', ref: REF, error: { Error: 'ORGANIZATIONS_UNAVAILABLE' } },
        { getRemainingTimeInMillis: () => 60_000 },
      );
    } finally {
      logger.setLogLevel('SILENT');
      for (const stream of streams) stream.mockRestore();
    }

    const lines = written.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.message)).toEqual(['run failed', 'a line of the service']);
    for (const line of lines) {
      expect(line).toMatchObject({
        correlation_id: REF.correlationId,
        tenantId: REF.tenantId,
        integrationId: REF.integrationId,
        runId: REF.runId,
        action: 'fail',
      });
    }
  });

  it('goes on under the run’s own id with an execution started before runs carried a correlation id', async () => {
    const { createHandler } = await loadHandlerModule();
    const refs: unknown[] = [];
    const service = {
      step: async (ref: unknown) => {
        refs.push(ref);
        return { done: false };
      },
    } as unknown as SyncService;
    const handler = createHandler(service, {} as MemberCheckService, NO_METRICS);
    const { correlationId: _, ...older } = REF;

    await handler({ action: 'step', ref: older }, { getRemainingTimeInMillis: () => 60_000 });

    expect(refs).toEqual([{ ...older, correlationId: REF.runId }]);
  });

  it('counts a complete run: its duration, its Organizations calls and its changes', async () => {
    const { createHandler } = await loadHandlerModule();
    const completed: unknown[] = [];
    const run = {
      trigger: 'schedule',
      startedAt: '2026-11-30T12:00:00.000Z',
      finishedAt: '2026-11-30T12:06:40.000Z',
      progress: { foldersSeen: 1000, accountsSeen: 10000, organizationsCalls: 2008, steps: 1 },
      counts: { created: 0, updated: 3, deleted: 1, heldDeletions: 0 },
    };
    const service = {
      finalize: async () => ({ next: null, checkMembers: true, run }),
    } as unknown as SyncService;
    const handler = createHandler(service, {} as MemberCheckService, {
      ...NO_METRICS,
      runCompleted: (ended) => completed.push(ended),
    });

    const answer = await handler(
      { action: 'finalize', ref: REF },
      { getRemainingTimeInMillis: () => 60_000 },
    );

    expect(completed).toEqual([run]);
    // The workflow gets only what its next states read.
    expect(answer).toEqual({ next: null, checkMembers: true });
  });

  it("counts a finished member check's roles by status, and nothing for a check still under way", async () => {
    const { createHandler } = await loadHandlerModule();
    const checked: unknown[] = [];
    const counts = { ok: 7, denied: 1, notDeployed: 2, pendingDeployment: 0, error: 0 };
    const progress = (done: boolean) => ({ done, counts });
    let done = false;
    const memberCheck = { check: async () => progress(done) } as unknown as MemberCheckService;
    const handler = createHandler({} as SyncService, memberCheck, {
      ...NO_METRICS,
      membersChecked: (found) => checked.push(found),
    });
    const event = { action: 'check-members', ref: REF, check: null };

    await handler(event, { getRemainingTimeInMillis: () => 60_000 });
    done = true;
    await handler(event, { getRemainingTimeInMillis: () => 60_000 });

    expect(checked).toEqual([counts]);
  });
});
