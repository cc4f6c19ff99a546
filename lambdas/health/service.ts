import type { Integration } from '../../schemas/api/integrations';
import type { Connection, MemberAccessSummary } from '../../schemas/sync';
import { type Clock, systemClock } from '../core/clock';
import { AppError } from '../core/errors';
import { logger } from '../core/logger';
import { withRetries } from '../core/retry';
import { readEnabledRegions } from '../domain/connection-regions';
import { roleSessionName } from '../domain/external-id';
import { CHECK_ALL, type MemberCheckRequest } from '../domain/member-check-cadence';
import { parseRoleArn, type RoleArnRules } from '../domain/role-arn';
import { inspectRole } from '../domain/role-inspection';
import type { RunRef, SyncTarget } from '../domain/sync-runs';
import {
  type CustomerRoleSession,
  type CustomerRolesPort,
  RoleMissingError,
  RoleRefusedError,
} from '../ports/customer-roles';
import {
  type CheckTarget,
  MEMBER_CHECK_LEASE_MS,
  type MemberCheckLease,
  type MemberHealthStore,
  ON_DEMAND_CHECK_PREFIX,
} from '../ports/member-health';
import type { SyncStateStore } from '../ports/sync-state';
import { CheckPass, type MemberCheckProgress, type MemberCheckSettings } from './check-pass';
import { MemberStackSet, PROBE_RETRY } from './member-stack-set';
import { memberTemplateOf, NO_COUNTS, type Probe } from './verdict';

export const DEFAULT_MEMBER_CHECK_SETTINGS: MemberCheckSettings = {
  concurrency: 8,
  // 100 executions at once (the default cap on concurrent syncs) × 5 = 500 a second, below STS's 600.
  ratePerSecond: 5,
  pageSize: 100,
  marginMs: 60_000,
};

export interface MemberCheckDeps {
  readonly state: Pick<SyncStateStore, 'target' | 'run'>;
  readonly store: MemberHealthStore;
  readonly lease: MemberCheckLease;
  readonly roles: CustomerRolesPort;
  readonly roleRules: RoleArnRules;
  readonly settings?: MemberCheckSettings;
  readonly clock?: Clock;
}

/**
 * Checks that each active connection's member role can be assumed with the integration's
 * External ID, a page of connections at a time, and records what it found. A role that lets us
 * in is also inspected: its permissions simulated against the manifest, its template version
 * read. A change of a connection's health is announced with `Connection Updated`. Roles that
 * refuse us are looked up in the member-role StackSet, when the integration names one, to tell
 * `not_deployed` (or, for a new account, `pending_deployment`) from `denied`. Credentials are
 * used for the probe only and never kept.
 */
export function makeMemberCheckService(deps: MemberCheckDeps) {
  const { state, store, lease, roles, roleRules } = deps;
  const settings = deps.settings ?? DEFAULT_MEMBER_CHECK_SETTINGS;
  const clock = deps.clock ?? systemClock;
  const retried = <T>(call: () => Promise<T>) => withRetries(call, PROBE_RETRY, clock);

  return {
    /**
     * Checks pages until the deadline nears or every connection is checked; then, while new
     * accounts wait for their role, asks the workflow to come back for them after a backoff.
     */
    async check(
      ref: RunRef,
      progress: MemberCheckProgress | null,
      deadline: number,
      /** For the first invocation: which roles to check. */
      request: MemberCheckRequest = CHECK_ALL,
    ): Promise<MemberCheckProgress> {
      const { tenantId, integrationId } = ref;
      const target: CheckTarget = { tenantId, integrationId, checkId: ref.runId };
      const found = await state.target(tenantId, integrationId);
      const current: MemberCheckProgress = progress ?? firstProgress(request, found?.memberAccess ?? null);
      if (!found || found.deleting) {
        logger.info('member check skipped: the integration is gone or going', { integrationId });
        return { ...current, cursor: null, waitSeconds: 0, done: true };
      }
      if (progress === null && !(await startedInTenant(ref, found))) {
        logger.warn('member check refused: nothing in the tenant named it', {
          integrationId,
          checkId: ref.runId,
        });
        return { ...current, cursor: null, waitSeconds: 0, done: true };
      }
      // One check at a time: the first invocation takes the lease, or leaves it to the holder.
      const now = clock.now();
      if (progress === null && !(await lease.take(target, now + MEMBER_CHECK_LEASE_MS, now))) {
        logger.info('member check skipped: another check of the integration is running', {
          integrationId,
          running: found.memberCheck?.id,
        });
        return { ...current, waitSeconds: 0, done: true };
      }
      // Before the first complete check every account is there from the start; after it, an
      // account without a record has just appeared.
      const newcomers = found.memberAccess !== null;
      const stackSets = new MemberStackSet(found.integration, tenantId, roles, roleRules, clock);
      const context = { store, settings, clock, probe, stackSets, correlationId: ref.correlationId };
      const pass = new CheckPass(
        context,
        found.integration,
        tenantId,
        current,
        newcomers,
        found.memberAccess,
      );
      const next = current.retry === null ? await pass.pages(deadline) : await pass.pendingAgain();
      if (next.done) await lease.release(target);
      return next;
    },
  };

  /**
   * Where a check starts: from nothing for every role; for a targeted check, from the last
   * complete check's counts, which its verdicts amend (every role when there was none).
   */
  function firstProgress(request: MemberCheckRequest, last: MemberAccessSummary | null): MemberCheckProgress {
    const base = { startedAt: new Date(clock.now()).toISOString(), cursor: null, pending: [], retry: null };
    const start = { ...base, waitSeconds: 0, done: false };
    if (request.scope === 'targeted' && last !== null) {
      const { checkedAt: _, stackSetReadable, ...counts } = last;
      return { ...start, counts, stackSetReadable, ...request };
    }
    return { ...start, counts: NO_COUNTS, stackSetReadable: null, ...CHECK_ALL };
  }

  /**
   * The workflow may assume any tenant's partition, so it trusts no tenant its input names: a
   * check runs only when what started it is in that tenant's partition, where only a session
   * confined to the tenant (or the sync itself) writes. An on-demand check: the lease the API
   * took for it. A check after a sync: the sync's run record.
   */
  async function startedInTenant(ref: RunRef, found: SyncTarget): Promise<boolean> {
    if (ref.runId.startsWith(ON_DEMAND_CHECK_PREFIX)) return found.memberCheck?.id === ref.runId;
    return (await state.run(ref)) !== undefined;
  }

  async function probe(integration: Integration, tenantId: string, connection: Connection): Promise<Probe> {
    let session: CustomerRoleSession;
    try {
      session = await retried(() =>
        roles.assumeRole({
          role: parseRoleArn(connection.roleArn, roleRules),
          externalId: integration.externalId,
          sessionName: roleSessionName('health', tenantId),
        }),
      );
    } catch (error: unknown) {
      if (error instanceof RoleRefusedError) return { ...NOT_IN, refused: true };
      if (error instanceof AppError) return { ...NOT_IN, error };
      throw error;
    }
    try {
      const [inspection, enabledRegions] = await Promise.all([
        inspectRole(session, { kind: 'member-read', template: memberTemplateOf(integration) }, retried),
        readEnabledRegions(session, retried),
      ]);
      return { ...NOT_IN, inspection, enabledRegions };
    } catch (error: unknown) {
      if (error instanceof RoleMissingError) return { ...NOT_IN, missing: true };
      throw error;
    }
  }
}

/** A probe that did not get in: nothing was read through the role. */
const NOT_IN: Probe = { refused: false, missing: false, error: null, inspection: null, enabledRegions: null };

export type MemberCheckService = ReturnType<typeof makeMemberCheckService>;
