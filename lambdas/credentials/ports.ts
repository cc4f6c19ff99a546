import type { Integration } from '../../schemas/api/integrations';
import type { Connection, MemberHealth } from '../../schemas/sync';
import type { RoleArn } from '../domain/role-arn';

/** What the broker's rules read about one connection, in one strongly consistent read. */
export interface ConnectionRecord {
  readonly integration: Integration;
  /** A DELETE was accepted: the integration and its connections are going away. */
  readonly deleting: boolean;
  readonly connection: Connection;
  /** The member role's last health check; null before the first. */
  readonly health: MemberHealth | null;
  /**
   * Whether the workspaces' read model (what `GET /v1/workspaces/{id}/connections` answers from)
   * files the connection under this workspace, or under every workspace.
   */
  readonly inWorkspaceReadModel: boolean;
}

export interface ConnectionLocator {
  readonly integrationId: string;
  readonly accountId: string;
}

/** Port: the table, as the broker reads it. It never writes there. */
export interface ConnectionDirectory {
  /** The connection that holds this handle in the tenant; null when none does (or a folder does). */
  findByHandle(tenantId: string, handle: string): Promise<ConnectionLocator | null>;
  /** Null when the tenant has no such integration or connection. */
  read(tenantId: string, locator: ConnectionLocator, workspaceId: string): Promise<ConnectionRecord | null>;
}

export interface SessionRequest {
  readonly role: RoleArn;
  readonly externalId: string;
  readonly sessionName: string;
  readonly durationSeconds: number;
  /** Shown in the customer's CloudTrail for every call made with the session. */
  readonly sourceIdentity?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** A session policy, as JSON: it can only narrow what the role allows. */
  readonly policy?: string;
}

export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/**
 * Port: STS, issuing a role session's credentials to hand on. Adapters throw RoleRefusedError
 * when STS refuses, SessionPolicyRejectedError when it refuses the session policy, and
 * UpstreamThrottledError or UpstreamUnavailableError when it cannot answer.
 */
export interface SessionIssuerPort {
  issueSession(request: SessionRequest): Promise<IssuedCredentials>;
}

/** Port: each tenant's share of the platform account's STS quota. */
export interface StsBudgetPort {
  /** Takes one AssumeRole call from the tenant's budget: null when granted, else how long to wait. */
  take(tenantId: string): Promise<{ readonly retryAfterSeconds: number } | null>;
}

/** STS refused the session policy (malformed, or too large once packed with the session tags). */
export class SessionPolicyRejectedError extends Error {}
