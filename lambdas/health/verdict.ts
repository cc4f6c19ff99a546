/*
 * The member check's verdicts, pure: the health one probe of a role comes to, how the counts
 * move, and whether a change of health is news worth announcing.
 */

import { isDeepStrictEqual } from 'node:util';
import type { Integration } from '../../schemas/api/integrations';
import type { TemplateName } from '../../schemas/api/onboarding';
import type { Connection, MemberAccessSummary, MemberHealth, StackInstance } from '../../schemas/sync';
import type { AppError } from '../core/errors';
import { buildEvent, type EventOrigin, originContext } from '../domain/change-events';
import { connectionView } from '../domain/connection-regions';
import type { RoleInspection } from '../domain/role-inspection';
import type { HealthRecord } from '../ports/member-health';

export type MemberCheckCounts = Omit<MemberAccessSummary, 'checkedAt' | 'stackSetReadable'>;

/**
 * A new account's StackSet instance usually turns CURRENT within minutes of the account joining.
 * Until then its refusal is `pending_deployment`, for at most this long; then `not_deployed`.
 */
const PENDING_DEPLOYMENT_LIMIT_MS = 30 * 60 * 1000;

export const NO_COUNTS: MemberCheckCounts = {
  ok: 0,
  denied: 0,
  notDeployed: 0,
  pendingDeployment: 0,
  error: 0,
  permissions: { ok: 0, missing: 0, unknown: 0 },
  templateVersions: {},
};

/** A StackSet instance that is there and up to date: the role should be deployed. */
function deployed(instance: StackInstance): boolean {
  return instance.status === 'CURRENT' && instance.detailedStatus !== 'FAILED';
}

/** No instance yet, or one whose deployment has not started or is under way; not one that failed. */
function mayStillDeploy(instance: StackInstance): boolean {
  if (instance.status === null) return true;
  const underWay =
    instance.detailedStatus === null || ['PENDING', 'RUNNING'].includes(instance.detailedStatus);
  return instance.status === 'OUTDATED' && underWay;
}

/** The template a connection's member role comes from. */
export function memberTemplateOf(integration: Integration): TemplateName {
  return integration.kind === 'organization' ? 'member-account-role' : 'single-account-role';
}

/** One record per checked connection; those whose health changed carry their event. */
export function recordsOf(
  integration: Integration,
  origin: EventOrigin,
  checked: readonly Checked[],
): HealthRecord[] {
  const ctx = originContext(origin, integration);
  return checked.map(({ connection, before, after }) => {
    const changed = before === null || !sameVerdict(before, after);
    const event = (sequence: number) =>
      buildEvent('Connection Updated', ctx, sequence, {
        connection: connectionView(connection, after),
        changes: [{ field: 'health', from: before, to: after }],
      });
    return { accountId: connection.id, health: after, before, event: changed ? event : null };
  });
}

export function pendingOf(checked: readonly Checked[]): string[] {
  return checked.flatMap(({ connection, after }) =>
    after.status === 'pending_deployment' ? [connection.id] : [],
  );
}

export interface Checked {
  readonly connection: Connection;
  readonly before: MemberHealth | null;
  readonly after: MemberHealth;
}

export interface Probe {
  /** STS refused: the role is missing, or its trust policy does not let us in. */
  readonly refused: boolean;
  /** STS let us in, but IAM does not know the role: it was deleted since, or never existed. */
  readonly missing: boolean;
  /** The probe could not finish (throttling, an outage): nothing is known. */
  readonly error: AppError | null;
  /** What the role's session told about the role, when it let us in. */
  readonly inspection: RoleInspection | null;
  /** The regions its account has enabled, when it let us in and may read them. */
  readonly enabledRegions: readonly string[] | null;
}

export function healthOf(
  probe: Probe,
  stackInstance: StackInstance | null,
  checkedAtMs: number,
  /** When the account started waiting for its role, if it may still wait. */
  pendingSince: string | null,
): MemberHealth {
  const checkedAt = new Date(checkedAtMs).toISOString();
  const base = {
    checkedAt,
    stackInstance,
    permissions: null,
    templateVersion: null,
    outdated: null,
    pendingSince: null,
    enabledRegions: null,
  };
  if (probe.error !== null) {
    return { ...base, status: 'error', code: probe.error.code, hint: probe.error.hint ?? null };
  }
  if (probe.missing) {
    return {
      ...base,
      status: 'not_deployed',
      code: 'MEMBER_ROLE_NOT_DEPLOYED',
      hint: 'IAM does not know the role in this account (NoSuchEntity): deploy it again, or update the StackSet.',
    };
  }
  if (!probe.refused) {
    return {
      ...base,
      ...probe.inspection,
      enabledRegions: probe.enabledRegions && [...probe.enabledRegions],
      status: 'ok',
      code: null,
      hint: null,
    };
  }
  if (stackInstance !== null && !deployed(stackInstance)) {
    const state =
      stackInstance.status === null
        ? 'The StackSet has no instance in this account'
        : `The StackSet's instance here is ${stackInstance.status}${
            stackInstance.detailedStatus ? ` (${stackInstance.detailedStatus})` : ''
          }`;
    if (pendingSince !== null && mayStillDeploy(stackInstance)) {
      return {
        ...base,
        status: 'pending_deployment',
        code: null,
        hint: `${state} yet: a new account gets its role once the StackSet reaches it. We check again shortly.`,
        pendingSince,
      };
    }
    return {
      ...base,
      status: 'not_deployed',
      code: 'MEMBER_ROLE_NOT_DEPLOYED',
      hint:
        stackInstance.status === null
          ? `${state}.`
          : `${state}: ${stackInstance.reason ?? 'no reason given'}. Fix it and update the StackSet.`,
    };
  }
  return {
    ...base,
    status: 'denied',
    code: 'ROLE_NOT_ASSUMABLE',
    hint:
      stackInstance === null
        ? 'Deploy the member role in this account with your External ID, or check that its trust policy names our account and your External ID.'
        : "The StackSet's role is deployed here but refuses us: check the StackSet's ExternalId and TrustedAccountId parameters.",
  };
}

/**
 * Since when an account may have waited for its role: a newcomer (never checked before) starts
 * waiting now; one that waited keeps waiting until the limit. Null: it may not wait.
 */
export function pendingSinceOf(
  previous: MemberHealth | null,
  checkedAtMs: number,
  newcomers: boolean,
): string | null {
  if (previous === null) return newcomers ? new Date(checkedAtMs).toISOString() : null;
  if (previous.status !== 'pending_deployment' || previous.pendingSince === null) return null;
  const waited = checkedAtMs - Date.parse(previous.pendingSince);
  return waited < PENDING_DEPLOYMENT_LIMIT_MS ? previous.pendingSince : null;
}

/** Whether two healths say the same; when they were checked is not news. */
export function sameVerdict(a: MemberHealth, b: MemberHealth): boolean {
  const verdict = ({
    status,
    code,
    stackInstance,
    permissions,
    templateVersion,
    outdated,
    enabledRegions,
  }: MemberHealth) => ({
    status,
    code,
    stackInstance,
    permissions: permissions && { status: permissions.status, denied: permissions.denied },
    templateVersion,
    outdated,
    enabledRegions,
  });
  return isDeepStrictEqual(verdict(a), verdict(b));
}

/** Adds (or, with -1, takes back) one health to the counts. */
export function tally(counts: MemberCheckCounts, health: MemberHealth, by: 1 | -1): MemberCheckCounts {
  const next = {
    ...counts,
    permissions: { ...counts.permissions },
    templateVersions: { ...counts.templateVersions },
  };
  const key = (
    {
      ok: 'ok',
      denied: 'denied',
      not_deployed: 'notDeployed',
      pending_deployment: 'pendingDeployment',
      error: 'error',
    } as const
  )[health.status];
  next[key] += by;
  if (health.permissions !== null) next.permissions[health.permissions.status] += by;
  if (health.status === 'ok') {
    const version = health.templateVersion === null ? 'unknown' : String(health.templateVersion);
    next.templateVersions[version] = (next.templateVersions[version] ?? 0) + by;
    if (next.templateVersions[version] === 0) delete next.templateVersions[version];
  }
  return next;
}
