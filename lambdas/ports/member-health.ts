import type { ChangeEvent } from '../../schemas/events';
import type { Connection, MemberAccessSummary, MemberHealth } from '../../schemas/sync';
import type { Page, PageRequest } from '../domain/page';

/**
 * The member-role health records. Health is an observation, not part of the mirror: it is
 * kept beside the connections, so a check never writes a folder or connection.
 */
export interface MemberHealthStore {
  /** One page of an integration's connections, in key order. */
  connections(tenantId: string, integrationId: string, page: PageRequest): Promise<Page<Connection>>;
  /** These connections, those that are still in the mirror. */
  connectionsById(
    tenantId: string,
    integrationId: string,
    accountIds: readonly string[],
  ): Promise<readonly Connection[]>;
  /** The stored health of each of these accounts that has one. */
  health(
    tenantId: string,
    integrationId: string,
    accountIds: readonly string[],
  ): Promise<Map<string, MemberHealth>>;
  /**
   * Stores each record's health. A record with an event is written with it atomically, and only
   * while the stored health is still `before`, so a change is announced once: when another check
   * got there first, its record and event stand. Nothing is written for an integration that is
   * gone or being deleted.
   */
  record(tenantId: string, integrationId: string, records: readonly HealthRecord[]): Promise<void>;
  /** Sets the integration's summary; does nothing when the integration is gone. */
  summarise(tenantId: string, integrationId: string, summary: MemberAccessSummary): Promise<void>;
}

export interface HealthRecord {
  readonly accountId: string;
  readonly health: MemberHealth;
  readonly before: MemberHealth | null;
  /**
   * `Connection Updated` when the health changed, numbered by the write that stores it; null
   * when the health is only checked again.
   */
  readonly event: ((sequence: number) => ChangeEvent) | null;
}

/**
 * How long a check may hold the integration's check lease: a check of 10,000 accounts takes
 * about 33 minutes, and its passes over new accounts at most about 35 more.
 */
export const MEMBER_CHECK_LEASE_MS = 2 * 3600 * 1000;

/** Begins the execution name of a check asked for on demand; a check after a sync is named by its run. */
export const ON_DEMAND_CHECK_PREFIX = 'check-';

/** An on-demand check's id: the integration and the moment, so a retried start starts nothing twice. */
export function onDemandCheckId(started: Date, integrationId: string): string {
  return `${ON_DEMAND_CHECK_PREFIX}${started.toISOString().replace(/[-:.]/g, '')}-${integrationId.slice(0, 8)}`;
}

/**
 * One member check per integration at a time: a check holds the integration's lease from its
 * first invocation to its end, or until the lease runs out should it die.
 */
export interface MemberCheckLease {
  /** Takes the lease for `checkId` until `until` (epoch ms): false while another check holds it. */
  take(target: CheckTarget, until: number, now: number): Promise<boolean>;
  /** Gives the lease back, if `checkId` still holds it. */
  release(target: CheckTarget): Promise<void>;
}

export interface CheckTarget {
  readonly tenantId: string;
  readonly integrationId: string;
  /** The check's execution name. */
  readonly checkId: string;
}
