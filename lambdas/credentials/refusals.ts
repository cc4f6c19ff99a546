/*
 * Why the broker refuses, each refusal with its stable code and hint, and the rules that decide
 * which role a connection's credentials come from.
 */

import type { AccessLevel, CredentialErrorCode } from '../../schemas/credentials';
import { AppError } from '../core/errors';
import { logger } from '../core/logger';
import { type RoleArn, roleArnOf } from '../domain/role-arn';
import { SOURCE_IDENTITY_SINCE_VERSION } from '../domain/template-versions';
import { workspaceKeysOf } from '../domain/workspace-keys';
import { type ConnectionRecord, SessionPolicyRejectedError } from './ports';

/** A refusal with its stable code; everything the caller may see. */
export class CredentialsRefusedError extends Error {
  constructor(
    readonly code: CredentialErrorCode,
    message: string,
    readonly options: {
      readonly hint?: string;
      readonly retryAfterSeconds?: number;
      readonly details?: unknown;
    } = {},
  ) {
    super(message);
  }
}

/**
 * The workspace must be allowed both by the connection's own effective permissions and by the
 * read model the workspace list answers from. An un-share reaches the connection first, so it
 * takes effect for the next request; a new share counts once the read model has it too.
 */
export function requireShared(record: ConnectionRecord, workspaceId: string): void {
  if (record.connection.held) {
    throw new CredentialsRefusedError('NOT_SHARED', 'This connection is held for approval.', {
      hint: 'A new account of an integration that holds new accounts is shared once someone approves it.',
    });
  }
  const keys = workspaceKeysOf(record.connection);
  const allowed = keys.includes('*') || keys.includes(workspaceId);
  if (!allowed || !record.inWorkspaceReadModel) {
    throw new CredentialsRefusedError('NOT_SHARED', 'This connection is not shared with the workspace.', {
      hint: 'Share the connection (or a folder above it) with the workspace: PATCH its permissions.',
    });
  }
}

/**
 * Whether the role's last health check read a template version from before SourceIdentity and
 * session tags. The check inspects the connection's own role, so it speaks for no other.
 */
export function ofOlderTemplate({ connection, health }: ConnectionRecord, role: RoleArn): boolean {
  const version = health?.templateVersion ?? null;
  return role.arn === connection.roleArn && version !== null && version < SOURCE_IDENTITY_SINCE_VERSION;
}

export function requireUsable({ connection, deleting }: ConnectionRecord): void {
  if (deleting) {
    throw new CredentialsRefusedError(
      'CONNECTION_DISABLED',
      "The connection's integration is being deleted.",
    );
  }
  if (connection.disabled || connection.state !== 'ACTIVE') {
    throw new CredentialsRefusedError('CONNECTION_DISABLED', `The account is ${connection.state}.`, {
      hint: 'Suspended, closing and closed accounts cannot be used.',
    });
  }
}

/**
 * `read` takes an account integration's read-only role where it has one, and an organization's
 * member role. `write` takes an account integration's main role, or the organization's full
 * member role when the integration names one.
 */
export function roleArnFor({ integration, connection }: ConnectionRecord, access: AccessLevel): string {
  if (integration.kind === 'account') {
    return access === 'read' ? (integration.readOnlyRoleArn ?? integration.roleArn) : integration.roleArn;
  }
  if (access === 'read') return connection.roleArn;
  if (integration.fullMemberRoleName === null) {
    throw new CredentialsRefusedError(
      'ACCESS_LEVEL_NOT_AVAILABLE',
      "This organization's connections have only the read-only member role.",
      {
        hint: "Deploy the member-account template with PermissionLevel PowerUser under another role name, and set it as the integration's fullMemberRoleName.",
      },
    );
  }
  return roleArnOf(integration.partition, connection.id, integration.fullMemberRoleName);
}

export function notFound(): CredentialsRefusedError {
  return new CredentialsRefusedError('CONNECTION_NOT_FOUND', 'No such connection.', {
    hint: 'Name a connection of this tenant by {integrationId, accountId} or by its handle.',
  });
}

export function roleNotAssumable({
  connection,
  health,
  integration,
}: ConnectionRecord): CredentialsRefusedError {
  const known = health && health.status !== 'ok' ? health.hint : null;
  return new CredentialsRefusedError('ROLE_NOT_ASSUMABLE', "The connection's role refused us.", {
    hint:
      known ??
      `Check that the role is deployed in account ${connection.id} and trusts the platform with this integration's External ID; POST /v1/integrations/${integration.id}/test checks every member role again.`,
  });
}

/** Upstream trouble keeps its code and wait; anything else is ours, and says nothing of its cause. */
export function asRefusal(error: unknown): CredentialsRefusedError {
  if (error instanceof CredentialsRefusedError) return error;
  if (error instanceof SessionPolicyRejectedError) {
    return new CredentialsRefusedError('VALIDATION_FAILED', 'AWS STS refused the session policy.', {
      hint: "Send a well-formed IAM policy document; packed with the session tags it must fit STS's limit.",
    });
  }
  if (
    error instanceof AppError &&
    (error.code === 'UPSTREAM_THROTTLED' || error.code === 'UPSTREAM_UNAVAILABLE')
  ) {
    return new CredentialsRefusedError(error.code, error.message, {
      hint: 'Retry after retryAfterSeconds.',
      retryAfterSeconds: error.retryAfterSeconds ?? 5,
    });
  }
  logger.error('the broker failed', { error });
  return new CredentialsRefusedError('INTERNAL_ERROR', 'Something went wrong on our side.');
}
