import * as z from 'zod';
import type { RunError } from '../../schemas/sync';
import { AppError, ERROR_STATUS } from '../core/errors';
import { missingPermissionError } from '../domain/permissions';
import { LeaseLostError } from '../domain/sync-runs';
import { PermissionDeniedError, RoleRefusedError } from '../ports/customer-roles';

/**
 * Codes that mean "interrupted", not "wrong" (error names are our stable codes): the workflow
 * retries the step, which resumes from its checkpoint. AccessDenied (`MISSING_PERMISSIONS`) and
 * a refused role are never retried.
 */
export const INTERRUPTIONS = ['UPSTREAM_THROTTLED', 'UPSTREAM_UNAVAILABLE', 'SYNC_IN_PROGRESS'];

/** A run that an interruption (or running out of time) ended is partial, not failed. */
export function isInterruption(code: string): boolean {
  return code === 'TIMEOUT' || INTERRUPTIONS.includes(code);
}

/**
 * The error as Step Functions should see it: named by its code, with message and hint. A verdict
 * on the customer's role keeps its meaning; an unknown error says nothing of itself (its text may
 * be an SDK's, or name our own resources): the handler has logged it whole.
 */
export function asWorkflowError(error: unknown): Error {
  if (error instanceof LeaseLostError) return named('LEASE_LOST', { message: error.message, hint: null });
  const known = error instanceof AppError ? error : roleVerdictOf(error);
  if (known) return named(known.code, { message: known.message, hint: known.hint ?? null });
  return named('INTERNAL_ERROR', { message: 'The sync failed on an unexpected error.', hint: null });
}

/** What the customer's role refused, as the role test would name it. */
function roleVerdictOf(error: unknown): AppError | undefined {
  if (error instanceof RoleRefusedError) {
    return new AppError(
      'ROLE_NOT_ASSUMABLE',
      'We could not assume the discovery role with your External ID.',
      {
        hint: "Check that the role still exists and that its trust policy lets the platform in with the integration's External ID. POST /v1/integrations/{id}/test names the check that fails.",
      },
    );
  }
  if (error instanceof PermissionDeniedError) return missingPermissionError(error.action);
  return undefined;
}

function named(code: string, body: { message: string; hint: string | null }): Error {
  const error = new Error(JSON.stringify(body));
  error.name = code;
  return error;
}

/** The codes our handler names its errors with; anything else was raised outside it. */
function isOurCode(code: string): boolean {
  return Object.hasOwn(ERROR_STATUS, code) || code === 'LEASE_LOST';
}

const UNEXPECTED: RunError = {
  code: 'INTERNAL_ERROR',
  message: 'The sync failed on an unexpected error.',
  hint: null,
};

/**
 * Step Functions hands the Catch an `{Error, Cause}` pair; from Lambda, Cause is itself JSON
 * with the thrown error's message, which is our `{message, hint}`. An error raised outside our
 * handler (`Runtime.ExitError`, `Lambda.ServiceException`, `States.*`) carries AWS's own text,
 * which may name our resources: the run records INTERNAL_ERROR, and the caller logs the cause.
 */
export function runErrorOf({ Error: code, Cause }: { Error: string; Cause?: string }): RunError {
  const parse = (text: string | undefined): unknown => {
    try {
      return JSON.parse(text ?? '');
    } catch {
      return undefined;
    }
  };
  const lambdaCause = z.object({ errorMessage: z.string() }).safeParse(parse(Cause));
  const body = z
    .object({ message: z.string(), hint: z.string().nullable() })
    .safeParse(parse(lambdaCause.success ? lambdaCause.data.errorMessage : Cause));
  if (code === 'Sandbox.Timedout' || code === 'States.Timeout') {
    return { code: 'TIMEOUT', message: 'A step of the sync ran out of time.', hint: null };
  }
  if (!isOurCode(code) || !body.success) return UNEXPECTED;
  return { code, message: body.data.message, hint: body.data.hint };
}
