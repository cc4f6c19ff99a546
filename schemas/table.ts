/**
 * The single table's key design, defined once and used by the CDK stack and by the
 * local runtime, so both create the same table. docs/data-model.md explains each key.
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
  /**
   * Sparse: only integrations carry these keys, all in one partition, sorted by when their next
   * scheduled sync is due, so the schedule's fan-out reads what is due and never scans.
   */
  bySchedule: {
    indexName: 'by-schedule',
    partitionKey: 'duePk',
    sortKey: 'dueSk',
  },
} as const satisfies Record<string, GlobalIndexDesign>;

/**
 * Key values of each item type. Every partition key starts with the tenant, so IAM's
 * `dynamodb:LeadingKeys` can confine a principal to one tenant.
 */
export const ITEM_KEYS = {
  tenant: (tenantId: string) => `TENANT#${tenantId}`,
  /**
   * The current External ID of a scope: the tenant's (the key it always had), or one org's.
   */
  externalId: (orgId: string | null) => (orgId === null ? 'EXTERNAL_ID' : `EXTERNAL_ID#ORG#${orgId}`),
  /** A tenant's budget of one kind of expensive request (role tests, syncs). */
  requestBudget: (request: string) => `BUDGET#${request}`,
  /** The first answer to a create sent with this `Idempotency-Key`; expires after a day. */
  idempotency: (key: string) => `IDEMPOTENCY#${key}`,
  integration: (integrationId: string) => `INTEGRATION#${integrationId}`,
  integrationPrefix: 'INTEGRATION#',
  /** Claims a handle inside the tenant, so two integrations cannot share it. */
  integrationHandle: (handle: string) => `INTEGRATION_HANDLE#${handle}`,
  /** Claims a role (partition, account, lower-cased name) inside the tenant. */
  integrationRole: (roleIdentity: string) => `INTEGRATION_ROLE#${roleIdentity}`,
  /** `by-management-account` partition: the account whose Organizations events concern the item. */
  managementAccount: (partition: string, accountId: string) => `ACCOUNT#${partition}:${accountId}`,
  /** `by-schedule` partition; its sort key is the integration's next due time (ISO 8601). */
  scheduleDue: 'SCHEDULE',
  /** Every folder and connection of an integration: one Query reads the whole mirror or a page of it. */
  mirrorPrefix: (integrationId: string) => `MIRROR#${integrationId}#`,
  folder: (integrationId: string, ouId: string) => `MIRROR#${integrationId}#F#${ouId}`,
  connection: (integrationId: string, accountId: string) => `MIRROR#${integrationId}#C#${accountId}`,
  connectionPrefix: (integrationId: string) => `MIRROR#${integrationId}#C#`,
  /**
   * The last check of a connection's member role. Kept out of the mirror (and its stream
   * readers), so a check writes no folder or connection; it expires if no check renews it.
   */
  memberHealth: (integrationId: string, accountId: string) => `HEALTH#${integrationId}#${accountId}`,
  /** Claims a folder or connection handle inside the tenant. */
  nodeHandle: (handle: string) => `NODE_HANDLE#${handle}`,
  /**
   * The workspaces' read model: one item per connection a workspace may use, kept from the
   * table's stream. `*` holds what is shared with every workspace, later ones included.
   */
  sharePrefix: (workspaceKey: string) => `SHARE#${workspaceKey}#`,
  /** Every entry of the read model of a tenant, whatever the workspace. */
  sharesPrefix: 'SHARE#',
  share: (workspaceKey: string, integrationId: string, accountId: string) =>
    `SHARE#${workspaceKey}#${integrationId}#${accountId}`,
  /** Sync runs sort by id, and ids start with their start time, so a Query lists newest first. */
  runPrefix: (integrationId: string) => `RUN#${integrationId}#`,
  run: (integrationId: string, runId: string) => `RUN#${integrationId}#${runId}`,
  /** An Organizations event an integration has had; expires after a day, as redeliveries do. */
  ingressEvent: (integrationId: string, eventId: string) => `INGRESS_EVENT#${integrationId}#${eventId}`,
  /**
   * The tenant's share of the platform's STS quota, spent by the credentials broker. It has a
   * partition of its own (still led by the tenant), so IAM's `dynamodb:LeadingKeys` can confine
   * the broker's one write to this item alone.
   */
  stsBudgetPartition: (tenantId: string) => `TENANT#${tenantId}#STS_BUDGET`,
  stsBudget: 'STS_BUDGET',
  /**
   * The tenant's audit log. Entries sort by when they were made (ISO 8601, then the entry's id),
   * so a Query between two times reads them newest first.
   */
  auditPrefix: 'AUDIT#',
  audit: (at: string, entryId: string) => `AUDIT#${at}#${entryId}`,
  /** The transactional outbox: written with each change, published from the table's stream. */
  outboxPrefix: 'OUTBOX#',
  outbox: (integrationId: string, sequence: number) =>
    `OUTBOX#${integrationId}#${String(sequence).padStart(12, '0')}`,
  /** The largest sequence number an outbox key can hold (12 digits). */
  lastOutboxSequence: 999_999_999_999,
} as const;

/** The tenant and integration an integration item's keys name; null for any other item. */
export function integrationOfKeys(
  pk: unknown,
  sk: unknown,
): { readonly tenantId: string; readonly integrationId: string } | null {
  const tenantPrefix = ITEM_KEYS.tenant('');
  if (typeof pk !== 'string' || typeof sk !== 'string') return null;
  if (!pk.startsWith(tenantPrefix) || !sk.startsWith(ITEM_KEYS.integrationPrefix)) return null;
  return {
    tenantId: pk.slice(tenantPrefix.length),
    integrationId: sk.slice(ITEM_KEYS.integrationPrefix.length),
  };
}

/** `MIRROR#<integrationId>#C#<accountId>`, as `ITEM_KEYS.connection` builds it. */
const CONNECTION_SORT_KEY = /^MIRROR#([0-9a-f-]{36})#C#(\d{12})$/;

/** The tenant, integration and account a connection item's keys name; null for any other item. */
export function connectionOfKeys(
  pk: unknown,
  sk: unknown,
): { readonly tenantId: string; readonly integrationId: string; readonly accountId: string } | null {
  const tenantPrefix = ITEM_KEYS.tenant('');
  if (typeof pk !== 'string' || typeof sk !== 'string' || !pk.startsWith(tenantPrefix)) return null;
  const [, integrationId, accountId] = CONNECTION_SORT_KEY.exec(sk) ?? [];
  if (integrationId === undefined || accountId === undefined) return null;
  return { tenantId: pk.slice(tenantPrefix.length), integrationId, accountId };
}
