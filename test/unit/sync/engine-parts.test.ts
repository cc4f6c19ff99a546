import { TokenBucket } from '../../../lambdas/core/token-bucket';
import { eventIdOf } from '../../../lambdas/domain/change-events';
import { PermissionDeniedError, RoleRefusedError } from '../../../lambdas/ports/customer-roles';
import { makePublisher } from '../../../lambdas/publisher/service';
import { handleCandidates } from '../../../lambdas/sync/handles';
import { MirrorIndex } from '../../../lambdas/sync/mirror-index';
import { asWorkflowError, runErrorOf } from '../../../lambdas/sync/workflow-errors';
import type { ChangeEvent } from '../../../schemas/events';
import type { MirrorNode } from '../../../schemas/sync';

function virtualClock() {
  const clock = {
    time: 0,
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.time += ms;
    },
  };
  return clock;
}

describe('handles', () => {
  it('slugs names with the prefix, and resolves collisions by the id, the same way every time', () => {
    expect(handleCandidates('aws_', 'Prod – Café Payments', '210000003039')).toEqual([
      'aws_prod_cafe_payments',
      'aws_prod_cafe_payments_3039',
      'aws_prod_cafe_payments_210000003039',
    ]);
    expect(handleCandidates(null, '123 Sandbox', 'ou-k3v9-w0rkl0ad')[0]).toBe('n_123_sandbox');
    expect(handleCandidates(null, '!!!', '210000003039')[0]).toBe('unnamed');
    const long = handleCandidates('team_', 'x'.repeat(100), '210000003039');
    expect(long.every((handle) => /^[a-z][a-z0-9_]{0,62}$/.test(handle))).toBe(true);
  });
});

describe('mirror index', () => {
  const node = (type: MirrorNode['type'], id: string, parentId: string | null) =>
    ({ type, id, parentId, handle: id }) as MirrorNode;

  it('names the root that a node lies directly below, and none when nothing does', () => {
    const nested = [
      node('folder', 'ou-k3v9-aaaaaaaa', 'r-k3v9'),
      node('connection', '111111111111', 'ou-k3v9-aaaaaaaa'),
    ];

    expect(new MirrorIndex(nested).rootId()).toBe('r-k3v9');
    expect(new MirrorIndex(nested.slice(1)).rootId()).toBeUndefined();
    expect(new MirrorIndex([node('connection', '111111111111', null)]).rootId()).toBeUndefined();
  });

  it('forgets the root once nothing lies below it', () => {
    const folder = node('folder', 'ou-k3v9-aaaaaaaa', 'r-k3v9');
    const index = new MirrorIndex([folder]);

    index.apply({ kind: 'delete', node: folder });

    expect(index.rootId()).toBeUndefined();
  });
});

describe('token bucket', () => {
  it('allows the burst at once, then no more than the rate', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket({ rate: 2.5, burst: 4 }, clock);

    for (let call = 0; call < 4; call += 1) await bucket.take();
    const afterBurst = clock.time;
    for (let call = 0; call < 10; call += 1) await bucket.take();

    expect(afterBurst).toBe(0);
    expect(clock.time).toBeCloseTo(4000, 6);
  });
});

describe('publisher', () => {
  const event = (sequence: number): ChangeEvent => ({
    detailType: 'Connection Created',
    detail: { sequence, eventId: eventIdOf('integration', sequence) },
  });

  it('sends ten entries a call in sequence order, and retries only the entries that failed', async () => {
    const calls: number[][] = [];
    let failOnce = true;
    const publish = makePublisher({
      source: 'aws-org-connections',
      clock: virtualClock(),
      bus: {
        put: async (entries) => {
          calls.push(entries.map((entry) => JSON.parse(entry.detail).sequence));
          if (!failOnce) return [];
          failOnce = false;
          return [1, 3];
        },
      },
    });

    await publish([12, 3, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11].map(event));

    expect(calls).toEqual([
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      [2, 4],
      [11, 12],
    ]);
  });

  it('gives up after its retries, so the stream delivers the batch again', async () => {
    const publish = makePublisher({
      source: 'aws-org-connections',
      clock: virtualClock(),
      bus: { put: async (entries) => entries.map((_, index) => index) },
    });

    await expect(publish([event(1)])).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('gives every event a stable id from its integration and sequence', () => {
    expect(eventIdOf('integration', 7)).toBe(eventIdOf('integration', 7));
    expect(eventIdOf('integration', 7)).not.toBe(eventIdOf('integration', 8));
    expect(eventIdOf('integration', 7)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });
});

describe('workflow errors', () => {
  /** What the run records for an error the handler threw, through Step Functions' Catch. */
  const recorded = (error: unknown) => {
    const named = asWorkflowError(error);
    return runErrorOf({ Error: named.name, Cause: JSON.stringify({ errorMessage: named.message }) });
  };

  it('keeps a refused role and a denied call as the role test names them, and hides an unknown error', () => {
    const refused = recorded(
      new RoleRefusedError('AccessDenied: User arn:aws:sts::123456789012:assumed-role/x'),
    );
    const denied = recorded(new PermissionDeniedError('organizations:ListRoots'));
    const unknown = recorded(
      new Error('ValidationException at arn:aws:dynamodb:eu-west-1:123456789012:table/t'),
    );

    expect(refused).toMatchObject({
      code: 'ROLE_NOT_ASSUMABLE',
      hint: expect.stringContaining('trust policy'),
    });
    expect(JSON.stringify(refused)).not.toContain('arn:aws');
    expect(denied).toEqual({
      code: 'MISSING_PERMISSIONS',
      message: 'The role may not call organizations:ListRoots.',
      hint: expect.stringContaining('Allow organizations:ListRoots'),
    });
    expect(unknown).toEqual({
      code: 'INTERNAL_ERROR',
      message: 'The sync failed on an unexpected error.',
      hint: null,
    });
  });

  it('reads the code and hint from a Lambda error, and names a timeout', () => {
    const cause = JSON.stringify({
      errorType: 'MISSING_PERMISSIONS',
      errorMessage: JSON.stringify({
        message: 'ListRoots was denied',
        hint: 'Grant organizations:ListRoots.',
      }),
    });

    expect(runErrorOf({ Error: 'MISSING_PERMISSIONS', Cause: cause })).toEqual({
      code: 'MISSING_PERMISSIONS',
      message: 'ListRoots was denied',
      hint: 'Grant organizations:ListRoots.',
    });
    expect(runErrorOf({ Error: 'Sandbox.Timedout', Cause: 'Task timed out' })).toEqual({
      code: 'TIMEOUT',
      message: 'A step of the sync ran out of time.',
      hint: null,
    });
  });

  it.each([
    ['Runtime.ExitError', 'RequestId: 7c1e Error: Runtime exited with error: signal: killed'],
    [
      'Lambda.ServiceException',
      'arn:aws:lambda:eu-west-1:123456789012:function:OrgConnections-Sync is unavailable',
    ],
    ['States.TaskFailed', '{"errorMessage":"arn:aws:dynamodb:eu-west-1:123456789012:table/t throttled"}'],
    ['MISSING_PERMISSIONS', 'not our JSON at all'],
  ])('records %s, raised outside the handler, as INTERNAL_ERROR without its text', (code, cause) => {
    const recorded = runErrorOf({ Error: code, Cause: cause });

    expect(recorded).toEqual({
      code: 'INTERNAL_ERROR',
      message: 'The sync failed on an unexpected error.',
      hint: null,
    });
  });
});
