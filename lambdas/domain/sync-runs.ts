/*
 * The kernel of a sync run, shared by every capability: which run, what it targets and
 * checkpoints, the changes it makes to the mirror and the event that announces each, and the
 * errors that say why a write was refused.
 */
import type { Partition } from '../../schemas/api/common';
import type { Integration } from '../../schemas/api/integrations';
import type { ChangeEvent } from '../../schemas/events';
import type {
  MemberAccessSummary,
  MirrorNode,
  RunError,
  SyncRun,
  SyncTargets,
  SyncTrigger,
} from '../../schemas/sync';
import { AppError } from '../core/errors';

/** Names one run of one integration. */
export interface RunRef {
  readonly tenantId: string;
  readonly integrationId: string;
  readonly runId: string;
  /** What set the run off (an API request, an Organizations event, a schedule tick). */
  readonly correlationId: string;
}

/** A sync asked for while another runs: folded into one follow-up run. */
export interface FollowUp {
  readonly trigger: SyncTrigger;
  readonly confirmDeletions: boolean;
  /** null: the whole organization. */
  readonly targets: SyncTargets | null;
  /**
   * The last request folded in: the follow-up run carries it. Absent from a follow-up recorded
   * before follow-ups kept one; that run goes on under its own id.
   */
  readonly correlationId?: string;
}

/** An integration with what the sync engine keeps beside it. */
export interface SyncTarget {
  readonly tenantId: string;
  readonly integration: Integration;
  readonly status: IntegrationSyncStatus;
  readonly activeRunId: string | null;
  /** Epoch ms after which another sync may take the lease over. */
  readonly leaseExpiresAt: number | null;
  readonly followUp: FollowUp | null;
  readonly lastRunId: string | null;
  readonly lastError: RunError | null;
  readonly counts: NodeCounts;
  /** A DELETE was accepted: no sync may start, and its deletion run holds the lease. */
  readonly deleting: boolean;
  /** The last complete check of the member roles; null before the first. */
  readonly memberAccess: MemberAccessSummary | null;
  /** Whether a complete run has mirrored the organization: accounts found later are new. */
  readonly mirrored: boolean;
  /** The member check holding the check lease, and until when (epoch ms); null when none. */
  readonly memberCheck: { readonly id: string; readonly until: number } | null;
  /** The last event sequence number given out; 0 before the first. */
  readonly eventSequence: number;
  /** When the last complete walk that read every tag started (epoch ms); null before one. */
  readonly tagsReadAt: number | null;
}

export type IntegrationSyncStatus =
  | 'pending'
  | 'syncing'
  | 'connected'
  | 'error'
  | 'needs_review'
  | 'deleting';

export interface NodeCounts {
  readonly folders: number;
  readonly connections: number;
  /** Connections held for approval. */
  readonly held: number;
}

/** Where a container's listing stands: page tokens, and the children seen so far. */
export interface ContainerCursor {
  readonly parentId: string;
  /** undefined: not started; a string: the next page; null: done. */
  readonly ouToken: string | null | undefined;
  readonly accountToken: string | null | undefined;
  readonly seen: readonly string[];
}

/**
 * What a run needs to resume: never the tree, only the containers still to list, the nodes
 * found missing from their parent (deleted at the end unless found elsewhere), and the OUs
 * whose children we may not list.
 */
export interface Checkpoint {
  readonly rootId: string;
  readonly managementAccountId: string;
  /** From the organization's ARN. */
  readonly partition: Partition;
  readonly frontier: readonly ContainerCursor[];
  readonly pendingRemovals: readonly string[];
  /** OUs denied in this run; their subtrees are kept. */
  readonly denied: readonly string[];
  /** Of those, the ones already denied before this run: their subtrees go at the end. */
  readonly persistentlyDenied: readonly string[];
  /**
   * Set when the run reads only what Organizations events named: the frontier holds those
   * containers, new OUs are listed as they are found, known ones are not.
   */
  readonly targeted?: boolean;
  /** Targeted runs: pending removals proven gone (in no container), so none is looked up twice. */
  readonly confirmed?: readonly string[];
  /** Full walks with included OUs: the OUs above them, kept as folders (see ScopeRules). */
  readonly waysDown?: readonly string[];
  /** Full walks: every tag is read again, not only those the mirror lacks. */
  readonly rereadsTags?: boolean;
}

export interface StoredRun {
  readonly run: SyncRun;
  readonly checkpoint: Checkpoint | null;
}

/** How a run ends, written in one transaction with its events and the lease's release. */
export interface RunOutcome {
  readonly run: SyncRun;
  readonly status: IntegrationSyncStatus;
  readonly lastError: RunError | null;
  readonly counts: NodeCounts;
  /** The run's summary and status events, numbered by the write from the first number it gives. */
  readonly events: (first: number) => readonly ChangeEvent[];
  /** Set when the run read every tag: when it started (epoch ms). */
  readonly tagsReadAt?: number;
  /** The integration's last event number as the ending run read it. */
  readonly lastSequence: number;
  /** The follow-up the ending run saw; the write fails if another arrived meanwhile. */
  readonly followUpSeen: FollowUp | null;
  /** Started in the same write when a follow-up was asked for. */
  readonly nextRun: SyncRun | null;
  readonly leaseExpiresAt: number;
}

export type Change =
  | { readonly kind: 'create'; readonly node: MirrorNode }
  | { readonly kind: 'update'; readonly before: MirrorNode; readonly after: MirrorNode }
  | { readonly kind: 'delete'; readonly node: MirrorNode };

/** The event that announces a change, given the sequence number the write gives it. */
export type Announce = (change: Change, sequence: number) => ChangeEvent;

/** Another integration of the tenant holds the handle. */
export class NodeHandleTakenError extends Error {
  constructor(readonly handle: string) {
    super(`The handle ${handle} is taken in this tenant`);
  }
}

/** A node changed under us (another writer); the step is retried on a fresh read. */
export class MirrorConflictError extends AppError {
  constructor() {
    super('SYNC_IN_PROGRESS', 'The mirror changed while this run wrote it.', {
      hint: 'The workflow retries the step on a fresh read.',
    });
  }
}

/** The run no longer holds the integration's lease: another run took over. */
export class LeaseLostError extends AppError {
  constructor(runId: string) {
    super('SYNC_IN_PROGRESS', `Run ${runId} no longer holds the integration's sync lease.`);
  }
}

export class FollowUpChangedError extends Error {}

/** No sync may start once a DELETE was accepted. */
export class IntegrationDeletingError extends AppError {
  constructor() {
    super('SYNC_IN_PROGRESS', 'The integration is being deleted.', {
      hint: 'Its deletion run removes its folders and connections; GET its status to follow it.',
    });
  }
}

/**
 * The input of an execution that only checks the member roles, started on demand; a sync
 * execution's input is `{ref}` alone.
 */
export interface MemberCheckInput {
  readonly ref: RunRef;
  readonly check: null;
}

/** The execution input of an on-demand member check; its execution is named `checkId`. */
export function memberCheckInput(target: Omit<RunRef, 'runId'>, checkId: string): MemberCheckInput {
  return { ref: { ...target, runId: checkId }, check: null };
}
