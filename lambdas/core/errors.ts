import type * as z from 'zod';
/**
 * Stable error codes and the HTTP status each one answers with.
 * The error table of docs/api.md is checked against this map by a unit test.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  INVALID_ROLE_ARN: 400,
  UNSUPPORTED_PARTITION: 400,
  CONFIRMATION_REQUIRED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  HANDLE_TAKEN: 409,
  ROLE_ALREADY_CONNECTED: 409,
  SYNC_IN_PROGRESS: 409,
  CONNECTION_NOT_HELD: 409,
  LIMIT_EXCEEDED: 409,
  VERSION_CONFLICT: 412,
  ROLE_NOT_ASSUMABLE: 422,
  EXTERNAL_ID_NOT_ENFORCED: 422,
  ACCOUNT_MISMATCH: 422,
  MISSING_PERMISSIONS: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  NOT_MANAGEMENT_OR_DELEGATED_ADMIN: 422,
  UPSTREAM_THROTTLED: 429,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  UPSTREAM_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorOptions {
  /** What the caller can do to fix it. */
  readonly hint?: string;
  /** Machine-readable specifics, such as the fields that failed validation. */
  readonly details?: unknown;
  /** For retryable errors: the `Retry-After` header, in seconds. */
  readonly retryAfterSeconds?: number;
  readonly cause?: unknown;
}

/** The base of every error that reaches a caller: it carries its stable code and HTTP status. */
export class AppError extends Error {
  readonly status: number;
  readonly hint?: string;
  readonly details?: unknown;
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: ErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.status = ERROR_STATUS[code];
    this.hint = options.hint;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

/** A zod error's issues as fields and messages; `under` names where the input came from (`body`). */
export function fieldIssuesOf(error: z.ZodError, ...under: string[]): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: [...under, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

/** A zod error in one line, for logs and start-up failures. */
export function describeIssues(error: z.ZodError, limit = Number.POSITIVE_INFINITY): string {
  return fieldIssuesOf(error)
    .slice(0, limit)
    .map(({ field, message }) => `${field}: ${message}`)
    .join('; ');
}

export class ValidationError extends AppError {
  constructor(message: string, issues: readonly FieldIssue[], hint?: string) {
    super('VALIDATION_FAILED', message, { details: { issues }, hint });
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'A valid bearer token is required.', cause?: unknown) {
    super('UNAUTHENTICATED', message, { cause });
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string, hint?: string) {
    super('FORBIDDEN', message, { hint });
  }
}

/** An `If-Match` that names another version than the stored one. */
export class VersionConflictError extends AppError {
  constructor(current: number) {
    super('VERSION_CONFLICT', 'The resource changed since you read it.', {
      hint: `Read it again and send If-Match: "${current}" with your change.`,
      details: { currentVersion: current },
    });
  }
}

/** A destructive request without the confirmation it needs. */
export class ConfirmationRequiredError extends AppError {
  constructor(message: string, hint: string) {
    super('CONFIRMATION_REQUIRED', message, { hint });
  }
}

/** Also the answer for another tenant's resource: its existence is never revealed. */
export class NotFoundError extends AppError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} was not found.`);
  }
}

export class UpstreamThrottledError extends AppError {
  constructor(service: string, cause?: unknown, retryAfterSeconds = 5) {
    super('UPSTREAM_THROTTLED', `${service} is throttling our requests.`, {
      hint: 'Retry after the time given in Retry-After.',
      retryAfterSeconds,
      cause,
    });
  }
}

export class UpstreamUnavailableError extends AppError {
  constructor(service: string, cause?: unknown, retryAfterSeconds = 5) {
    super('UPSTREAM_UNAVAILABLE', `${service} is unavailable.`, {
      hint: 'Retry after the time given in Retry-After.',
      retryAfterSeconds,
      cause,
    });
  }
}

export interface ErrorEnvelope {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly hint?: string;
    readonly details?: unknown;
    readonly requestId: string;
  };
}

export function toErrorEnvelope(error: AppError, requestId: string): ErrorEnvelope {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      ...(error.details === undefined ? {} : { details: error.details }),
      requestId,
    },
  };
}

/**
 * Answers that API Gateway gives before any function runs. The stack renders them as gateway
 * responses and the local server sends the same bodies, so both look alike to a client.
 */
export const GATEWAY_ERRORS = {
  unauthorized: { status: 401, code: 'UNAUTHENTICATED', message: 'A valid bearer token is required.' },
  routeNotFound: { status: 404, code: 'NOT_FOUND', message: 'No such route.' },
  internal: { status: 500, code: 'INTERNAL_ERROR', message: 'Something went wrong on our side.' },
  /** The stage's throttling, or the tenant's usage plan, before any function runs. */
  throttled: { status: 429, code: 'RATE_LIMITED', message: 'Too many requests: slow down and retry.' },
} as const satisfies Record<string, { status: number; code: ErrorCode; message: string }>;

/** The wait a gateway's 429 names: a token bucket of a second's rate has refilled by then. */
export const GATEWAY_RETRY_AFTER_SECONDS = 1;

/** The name of an AWS SDK (or any) error, without trusting its shape. */
export function errorName(error: unknown): string {
  if (error instanceof Error) return error.name;
  if (typeof error === 'object' && error !== null && 'name' in error && typeof error.name === 'string') {
    return error.name;
  }
  return 'UnknownError';
}
