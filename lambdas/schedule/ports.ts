import type { Page, PageRequest } from '../domain/page';

/** An integration the schedule's index says is due. */
export interface DueIntegration {
  readonly tenantId: string;
  readonly integrationId: string;
  /** ISO 8601, as stored in the index's sort key. */
  readonly dueAt: string;
}

export interface ScheduleStore {
  /** Integrations due at or before `now` (ISO 8601), earliest first. */
  due(now: string, page: PageRequest): Promise<Page<DueIntegration>>;
  /**
   * Moves the integration's due time to `to`, only if it is still `from.dueAt`. False when
   * another tick moved it first or the integration is gone: then it is not this tick's to start.
   */
  reschedule(from: DueIntegration, to: string): Promise<boolean>;
}
