import type { Integration } from '../../schemas/api/integrations';
import type { ChangeEvent } from '../../schemas/events';
import type { MirrorNode, RunCounts, RunProgress, SyncRun } from '../../schemas/sync';
import type { AuditRecord } from '../domain/audit';
import type { Page, PageRequest } from '../domain/page';
import type {
  Announce,
  Change,
  Checkpoint,
  FollowUp,
  RunOutcome,
  RunRef,
  StoredRun,
  SyncTarget,
} from '../domain/sync-runs';

/*
 * The sync engine's stores and workflow, as every capability that starts, ends, reads or edits a
 * run sees them. Their adapters live in adapters/ (DynamoDB, Step Functions, and the local runtime's).
 */

type IntegrationRef = { readonly tenantId: string; readonly integrationId: string };
type Lease = { readonly now: number; readonly leaseExpiresAt: number };

/** The integration's sync lease: who may write its mirror, and how a run ends. */
export interface RunLeases {
  target(tenantId: string, integrationId: string): Promise<SyncTarget | undefined>;
  /**
   * Gives `run` the lease and writes its record, unless a live run holds the lease or a DELETE
   * was accepted; false then (or when the integration is gone).
   */
  takeLease(target: IntegrationRef, run: SyncRun, lease: Lease): Promise<boolean>;
  /**
   * Marks the integration deleting and gives the lease to the deletion run, whatever sync holds
   * it (that sync's next write fails): off the schedule and the routing index at once. False
   * when another deletion run still holds its lease.
   */
  takeDeletionLease(target: IntegrationRef, run: SyncRun, lease: Lease): Promise<boolean>;
  /**
   * Replaces the live run's follow-up, if it is still `seen`; the run's id, or null when the
   * lease or the follow-up moved meanwhile (or a DELETE was accepted).
   */
  setFollowUp(
    target: IntegrationRef,
    change: { readonly seen: FollowUp | null; readonly next: FollowUp; readonly now: number },
  ): Promise<string | null>;
  /**
   * Ends the run: its record, the integration's status, the events, the lease, a follow-up.
   * Throws FollowUpChangedError when a follow-up arrived since `followUpSeen` was read, and
   * LeaseLostError when the run no longer holds the lease.
   */
  finish(ref: RunRef, outcome: RunOutcome): Promise<void>;
  /**
   * The deletion run's last write: the integration, its handle and role claims go, with its
   * final run record and `Integration Deleted`, if the run still holds the lease.
   */
  removeIntegration(
    ref: RunRef,
    final: {
      readonly run: SyncRun;
      readonly integration: Integration;
      /** The key of its role claim (see domain/role-arn's roleIdentity). */
      readonly roleIdentity: string;
      readonly event: (sequence: number) => ChangeEvent;
      readonly lastSequence: number;
    },
  ): Promise<void>;
}

/** A run's own record: its progress and checkpoint, and the integration's history of runs. */
export interface RunRecords {
  /** Any run of the integration, by its id alone. */
  run(ref: Omit<RunRef, 'correlationId'>): Promise<StoredRun | undefined>;
  /** Saves the checkpoint and renews the lease; throws LeaseLostError if the run no longer holds it. */
  saveProgress(
    ref: RunRef,
    update: {
      readonly progress: RunProgress;
      readonly counts: RunCounts;
      readonly checkpoint: Checkpoint;
      readonly leaseExpiresAt: number;
    },
  ): Promise<void>;
  listRuns(tenantId: string, integrationId: string, page: PageRequest): Promise<Page<SyncRun>>;
}

export type SyncStateStore = RunLeases & RunRecords;

export interface MirrorStore {
  load(tenantId: string, integrationId: string): Promise<MirrorNode[]>;
  /**
   * Writes each change with its outbox event and handle claim, conditionally on the node's
   * version and on `ref`'s run still holding the integration's lease. The same write numbers
   * the events, counting on from `lastSequence` (or from where another writer left the
   * counter), and returns the last number it gave. Throws NodeHandleTakenError, LeaseLostError
   * or MirrorConflictError, and then nothing of the call is written.
   */
  apply(
    ref: RunRef,
    changes: readonly Change[],
    numbering: { readonly lastSequence: number; readonly announce: Announce },
  ): Promise<number>;
  node(
    tenantId: string,
    integrationId: string,
    type: MirrorNode['type'],
    id: string,
  ): Promise<MirrorNode | undefined>;
  /**
   * A change made over the API (not by a run): written like `apply`'s, if the integration is
   * not being deleted. Throws NodeHandleTakenError, IntegrationDeletingError or
   * MirrorConflictError, and then nothing is written.
   */
  edit(target: IntegrationRef, change: Change, announce: Announce, audit?: AuditRecord): Promise<void>;
  page(tenantId: string, integrationId: string, page: PageRequest): Promise<Page<MirrorNode>>;
}

export interface WorkflowPort {
  /** Starts the sync workflow for a run that holds the lease. */
  start(ref: RunRef): Promise<void>;
  /**
   * Starts a check of the member roles only, named by `checkId`. It takes no lease: it
   * writes no folder or connection, only health records.
   */
  checkMembers(target: Omit<RunRef, 'runId'>, checkId: string): Promise<void>;
  /** How many sync workflows are running, counted up to `limit`. */
  running(limit: number): Promise<number>;
}
