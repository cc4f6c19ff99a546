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
  /** Only the attributes the index's reader needs, to keep index writes small. */
  readonly nonKeyAttributes: readonly string[];
}

export const GLOBAL_INDEXES = {
  /** Routes an Organizations event to the integrations of its management or delegated-admin account. */
  byManagementAccount: {
    indexName: 'by-management-account',
    partitionKey: 'routingPk',
    sortKey: 'routingSk',
    nonKeyAttributes: ['tenantId', 'integrationId', 'status'],
  },
  /** Sparse: only active integrations carry these keys, so the schedule's fan-out never scans. */
  bySchedule: {
    indexName: 'by-schedule',
    partitionKey: 'duePk',
    sortKey: 'dueSk',
    nonKeyAttributes: ['tenantId', 'integrationId'],
  },
} as const satisfies Record<string, GlobalIndexDesign>;

/** Every partition key starts with the tenant, which allows IAM leading-key isolation. */
export function tenantPartitionKey(tenantId: string): string {
  return `TENANT#${tenantId}`;
}
