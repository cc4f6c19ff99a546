import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { accountIdSchema } from '../../schemas/api/common';
import { envSchema, SYNC_ENV } from '../../schemas/environment';
import { memberAccessSummarySchema } from '../../schemas/sync';
import { awsSyncWiring, composeMemberCheck, composeSyncService } from '../composition/sync';
import { loadEnv } from '../core/env';
import { lambdaHandler } from '../core/lambda-handler';
import { logger } from '../core/logger';
import { functionMetrics } from '../core/metrics';
import { annotateTrace } from '../core/tracer';
import { CHECK_ALL, MAX_ACCOUNTS_CHECKED_AGAIN } from '../domain/member-check-cadence';
import type { RunRef } from '../domain/sync-runs';
import type { MemberCheckService } from '../health/service';
import {
  MEMBER_CHECK_METRIC,
  MEMBER_STATUSES,
  SYNC_RUN_METRICS,
  SYNC_RUNS_FAILED_METRIC,
  type SyncMetrics,
} from '../sync/metrics';
import { DEFAULT_SYNC_SETTINGS, type SyncService } from '../sync/service';
import { asWorkflowError, runErrorOf } from '../sync/workflow-errors';

const refSchema = z.strictObject({
  tenantId: z.string().min(1),
  integrationId: z.uuid(),
  runId: z.string().regex(/^[0-9TZ]+-[0-9a-f]{8}$/),
  /** Absent from executions started before runs carried one (see `refOf`). */
  correlationId: z.string().min(1).optional(),
});

// `unchecked` is how executions started before targeted checks named one: it checked new roles.
const checkScopeSchema = z
  .enum(['all', 'targeted', 'unchecked'])
  .transform((scope) => (scope === 'unchecked' ? 'targeted' : scope));
const checkedAgainSchema = z.array(accountIdSchema).max(MAX_ACCOUNTS_CHECKED_AGAIN).default([]);

/** What one member check invocation hands the next (see MemberCheckProgress). */
const memberCheckSchema = z.object({
  startedAt: z.iso.datetime(),
  cursor: z.string().nullable(),
  counts: memberAccessSummarySchema.omit({ checkedAt: true, stackSetReadable: true }),
  stackSetReadable: z.boolean().nullable(),
  pending: z.array(accountIdSchema).default([]),
  retry: z.number().int().min(0).nullable().default(null),
  waitSeconds: z.number().int().min(0).default(0),
  done: z.boolean(),
  scope: checkScopeSchema.default('all'),
  accounts: checkedAgainSchema,
});

/** What the workflow's Task states send (see workflow.ts). */
const actionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('step'), ref: refSchema }),
  z.object({ action: z.literal('finalize'), ref: refSchema }),
  z.object({
    action: z.literal('check-members'),
    // An on-demand check's execution is named by a check id rather than a run id.
    ref: refSchema.extend({ runId: z.string().regex(/^(check-)?[0-9TZ]+-[0-9a-f]{8}$/) }),
    /** The last invocation's progress; for the first, null (every role) or which roles to check. */
    check: z
      .union([memberCheckSchema, z.strictObject({ scope: checkScopeSchema, accounts: checkedAgainSchema })])
      .nullable(),
  }),
  z.object({
    action: z.literal('fail'),
    ref: refSchema,
    error: z.object({ Error: z.string(), Cause: z.string().optional() }),
  }),
]);
export type WorkflowAction = z.infer<typeof actionSchema>;

/**
 * The sync workflow's one function: `step`, `finalize`, `fail` and `check-members`. Errors leave
 * with their stable code as the error name, so the state machine's Retry and Catch can tell an
 * interruption (retried) from a refusal (not retried).
 */
export function createHandler(service: SyncService, memberCheck: MemberCheckService, metrics: SyncMetrics) {
  return async (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => {
    const action = actionSchema.parse(event);
    const ref = refOf(action);
    const { correlationId, ...ids } = ref;
    // Every line of the invocation, the services' too, names the run and what set it off.
    logger.appendKeys({ ...ids, action: action.action });
    logger.setCorrelationId(correlationId);
    annotateTrace(ids);
    try {
      switch (action.action) {
        case 'step': {
          const result = await service.step(ref, Date.now() + context.getRemainingTimeInMillis());
          logger.info(
            result.done ? 'walk complete' : 'step budget used; the workflow resumes from the checkpoint',
          );
          return result;
        }
        case 'finalize': {
          const { next, check, run } = await service.finalize(ref);
          logger.info('run finished', {
            followUpRun: next?.runId ?? null,
            checkMembers: check ?? false,
            counts: run?.counts,
          });
          if (run) metrics.runCompleted(run);
          return { next, checkMembers: check !== null, check };
        }
        case 'check-members': {
          const { check } = action;
          const progress = await memberCheck.check(
            ref,
            check !== null && 'startedAt' in check ? check : null,
            Date.now() + context.getRemainingTimeInMillis(),
            check !== null && !('startedAt' in check) ? check : CHECK_ALL,
          );
          if (progress.done) metrics.membersChecked(progress.counts);
          return progress;
        }
        case 'fail': {
          const error = runErrorOf(action.error);
          // The raw cause may be AWS's text about our own resources: logs only, never the run.
          logger.warn('run failed', { error, cause: action.error });
          const result = await service.fail(ref, error);
          metrics.runFailed(error.code);
          return result;
        }
      }
    } catch (error: unknown) {
      logger.error('workflow action failed', { error });
      throw asWorkflowError(error);
    }
  };
}

/**
 * The run an action is for. An execution that was running when this version was deployed
 * names no correlation id: its run goes on under its own id.
 */
function refOf(action: WorkflowAction): RunRef {
  return { ...action.ref, correlationId: action.ref.correlationId ?? action.ref.runId };
}

const env = loadEnv(envSchema(...SYNC_ENV, 'ORG_API_RATE_FRACTION', 'MEMBER_CHECK_INTERVAL_SECONDS'));

const aws = awsSyncWiring(env);
const settings = {
  rateFraction: env.ORG_API_RATE_FRACTION ?? DEFAULT_SYNC_SETTINGS.rateFraction,
  memberCheckIntervalMs:
    (env.MEMBER_CHECK_INTERVAL_SECONDS && env.MEMBER_CHECK_INTERVAL_SECONDS * 1000) ??
    DEFAULT_SYNC_SETTINGS.memberCheckIntervalMs,
};
const metrics = functionMetrics('sync');

export const handler = lambdaHandler(
  createHandler(composeSyncService({ ...aws, settings }), composeMemberCheck(aws), {
    runFailed: (code) => metrics.count(SYNC_RUNS_FAILED_METRIC, 1, { code }),
    membersChecked: (counts) => {
      for (const [status, count] of Object.entries(MEMBER_STATUSES)) {
        metrics.count(MEMBER_CHECK_METRIC, counts[count], { status });
      }
    },
    runCompleted: (run) => {
      const trigger = { trigger: run.trigger };
      const seconds = (Date.parse(run.finishedAt ?? run.startedAt) - Date.parse(run.startedAt)) / 1000;
      const { created, updated, deleted } = run.counts;
      metrics.seconds(SYNC_RUN_METRICS.duration, seconds, trigger);
      metrics.count(SYNC_RUN_METRICS.organizationsCalls, run.progress.organizationsCalls, trigger);
      metrics.count(SYNC_RUN_METRICS.organizationsThrottles, run.progress.organizationsThrottles, trigger);
      metrics.count(SYNC_RUN_METRICS.changes, created + updated + deleted, trigger);
    },
  }),
);
