/**
 * The single table's key design (DESIGN §5), defined once and used by the CDK stack and by the
 * local runtime, so both create the same table. The README's "Data" section explains each key.
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLive: 'expiresAt',
} as const;

export interface GlobalIndexDesign {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

/**
 * Indexes project keys only: the table's `pk`/`sk` come along and name the integration, which
 * is all a reader of either index needs, and keeps index writes small.
 */
export const GLOBAL_INDEXES = {
  /** Routes an Organizations event to the integrations of its management or delegated-admin account. */
  byManagementAccount: {
    indexName: 'by-management-account',
    partitionKey: 'routingPk',
    sortKey: 'routingSk',
  },
  /** Sparse: only active integrations carry these keys, so the schedule's fan-out never scans. */
  bySchedule: {
    indexName: 'by-schedule',
    partitionKey: 'duePk',
    sortKey: 'dueSk',
  },
} as const satisfies Record<string, GlobalIndexDesign>;
