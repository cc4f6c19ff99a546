/*
 * The sync capability's requests, as the others make them; the sync service implements them.
 */
import type { SyncRun } from '../../schemas/sync';
import type { RunRef } from '../domain/sync-runs';

export interface SyncRequest {
  readonly tenantId: string;
  readonly integrationId: string;
  readonly trigger: SyncRun['trigger'];
  readonly confirmDeletions: boolean;
  /** What Organizations events named; absent or null: the whole organization. */
  readonly targets?: SyncRun['targets'];
  /** What asked: the API request's id, the Organizations event's, the schedule tick's. */
  readonly correlationId: string;
}

/** Syncs and deletions, as the sync capability starts them for the API, the router and the schedule. */
export interface SyncRequests {
  /** Starts a run, or folds the request into the follow-up of the run that holds the lease. */
  requestSync(request: SyncRequest): Promise<{ runId: string; coalesced: boolean }>;
  /** Starts the integration's deletion run, whatever sync holds the lease. */
  requestDeletion(target: Omit<RunRef, 'runId'>): Promise<{ runId: string; coalesced: boolean }>;
}
