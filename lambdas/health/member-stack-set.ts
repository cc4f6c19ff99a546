import type { Integration } from '../../schemas/api/integrations';
import type { StackInstance } from '../../schemas/sync';
import type { Clock } from '../core/clock';
import { AppError } from '../core/errors';
import { logger } from '../core/logger';
import { type RetryPolicy, withRetries } from '../core/retry';
import { SessionCache } from '../core/session-cache';
import { roleSessionName } from '../domain/external-id';
import { parseRoleArn, type RoleArnRules } from '../domain/role-arn';
import {
  type CustomerRoleSession,
  type CustomerRolesPort,
  PermissionDeniedError,
  RoleRefusedError,
  StackSetNotFoundError,
} from '../ports/customer-roles';

/** Throttling gets a few retries; a probe that still fails is recorded as `error`, not thrown. */
export const PROBE_RETRY: RetryPolicy = { attempts: 4, baseMs: 500, capMs: 8_000 };

/**
 * Reads the member-role StackSet through the discovery role, for the accounts whose role refused
 * us. `readable` turns false for the rest of the check once the StackSet cannot be read.
 */
export class MemberStackSet {
  readable: boolean | null = null;
  private readonly sessions: SessionCache<CustomerRoleSession>;

  constructor(
    private readonly integration: Integration,
    private readonly tenantId: string,
    private readonly roles: CustomerRolesPort,
    private readonly roleRules: RoleArnRules,
    private readonly clock: Clock,
  ) {
    this.sessions = new SessionCache({
      expiresAt: (session) => session.expiresAt?.getTime(),
      clock: () => clock.now(),
    });
  }

  async instance(accountId: string): Promise<StackInstance | null> {
    const stackSet = this.integration.memberRoleStackSet;
    if (stackSet === null || this.integration.kind !== 'organization' || this.readable === false) return null;
    const callAs =
      this.integration.accountId === this.integration.managementAccountId ? 'SELF' : 'DELEGATED_ADMIN';
    try {
      const session = await this.discoverySession();
      const instance = await withRetries(
        () => session.stackInstance(stackSet, accountId, callAs),
        PROBE_RETRY,
        this.clock,
      );
      this.readable = true;
      return (
        instance ?? {
          stackSetName: stackSet.name,
          region: stackSet.region,
          status: null,
          detailedStatus: null,
          reason: null,
        }
      );
    } catch (error: unknown) {
      const unreadable =
        error instanceof PermissionDeniedError ||
        error instanceof StackSetNotFoundError ||
        error instanceof RoleRefusedError ||
        error instanceof AppError;
      if (!unreadable) throw error;
      logger.warn('the member-role StackSet cannot be read', {
        stackSet: stackSet.name,
        error: error.message,
      });
      this.readable = false;
      return null;
    }
  }

  private async discoverySession(): Promise<CustomerRoleSession> {
    const role = parseRoleArn(this.integration.roleArn, this.roleRules);
    const { session } = await this.sessions.getOrCreate(role.arn, () =>
      withRetries(
        () =>
          this.roles.assumeRole({
            role,
            externalId: this.integration.externalId,
            sessionName: roleSessionName('health', this.tenantId),
          }),
        PROBE_RETRY,
        this.clock,
      ),
    );
    return session;
  }
}
