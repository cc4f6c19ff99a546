import * as z from 'zod';
import { scopeSchema } from './api/common';
import { integrationSchema } from './api/integrations';
import { EVENT_SOURCE } from './event-source';
import {
  connectionSchema,
  connectionViewSchema,
  folderSchema,
  runCountsSchema,
  runErrorSchema,
  runStatusSchema,
} from './sync';

/** The connection-change events this backend publishes on the connections bus. */
export const DETAIL_TYPES = [
  'Connection Created',
  'Connection Updated',
  'Connection Deleted',
  'Folder Created',
  'Folder Updated',
  'Folder Deleted',
  'Integration Created',
  'Integration Updated',
  'Integration Deleted',
  'Integration Status Changed',
  'Sync Completed',
  'Sync Failed',
] as const;
export type DetailType = (typeof DETAIL_TYPES)[number];

export const EVENT_SCHEMA_VERSION = 1;

/** What every event's `detail` carries, so consumers can de-duplicate and order. */
const envelope = {
  schemaVersion: z.literal(EVENT_SCHEMA_VERSION),
  /** Deterministic: the same change always has the same id, however often it is delivered. */
  eventId: z.string(),
  tenantId: z.string(),
  scope: scopeSchema,
  integrationId: z.uuid(),
  /** Increases per integration; gaps are possible, order is not. */
  sequence: z.number().int().min(1),
  syncRunId: z.string().nullable(),
  /**
   * What set the change off, so one search finds it in our logs (as `correlation_id`) and in
   * every event it caused: the API request's id (the `x-amzn-RequestId` header, and
   * `error.requestId` in an error body), the forwarded Organizations event's id, or the
   * schedule tick's. A follow-up run carries the last request folded into it.
   */
  correlationId: z.string().min(1),
};

export const changeSchema = z.object({ field: z.string(), from: z.unknown(), to: z.unknown() });
export type FieldChange = z.infer<typeof changeSchema>;

const folderEvent = z.object({ ...envelope, folder: folderSchema });
const connectionEvent = z.object({ ...envelope, connection: connectionSchema });
const changes = { changes: z.array(changeSchema).min(1) };

export const EVENT_DETAIL_SCHEMAS = {
  'Connection Created': connectionEvent,
  /**
   * A change of the member role's health carries the connection as the API shows it, with its
   * new `health` and its regions against the account's; a change in the mirror, the node.
   */
  'Connection Updated': z.object({
    ...envelope,
    connection: connectionViewSchema.partial({
      health: true,
      enabledRegions: true,
      effectiveRegions: true,
      regionsNotEnabled: true,
    }),
    ...changes,
  }),
  'Connection Deleted': connectionEvent,
  'Folder Created': folderEvent,
  'Folder Updated': folderEvent.extend(changes),
  'Folder Deleted': folderEvent,
  'Integration Created': z.object({ ...envelope, integration: integrationSchema.omit({ externalId: true }) }),
  'Integration Updated': z.object({
    ...envelope,
    integration: integrationSchema.omit({ externalId: true }),
    ...changes,
  }),
  'Integration Deleted': z.object({ ...envelope, integration: integrationSchema.omit({ externalId: true }) }),
  'Integration Status Changed': z.object({
    ...envelope,
    status: z.string(),
    previousStatus: z.string(),
    error: runErrorSchema.nullable(),
  }),
  'Sync Completed': z.object({
    ...envelope,
    status: runStatusSchema,
    counts: runCountsSchema,
    folders: z.number().int(),
    connections: z.number().int(),
  }),
  'Sync Failed': z.object({
    ...envelope,
    status: runStatusSchema,
    counts: runCountsSchema,
    error: runErrorSchema,
  }),
} as const satisfies Record<DetailType, z.ZodType>;

/** The EventBridge envelope around every detail, as a consumer's rule or queue receives it. */
export function connectionChangeEventSchema(type: DetailType) {
  return z.object({
    version: z.literal('0'),
    /** EventBridge's own id of this delivery; `detail.eventId` is the one to de-duplicate by. */
    id: z.string().min(1),
    'detail-type': z.literal(type),
    source: z.literal(EVENT_SOURCE),
    account: z.string().regex(/^\d{12}$/),
    time: z.iso.datetime(),
    region: z.string(),
    resources: z.array(z.string()),
    detail: EVENT_DETAIL_SCHEMAS[type],
  });
}

/** An event ready for the bus: its detail-type and its detail. */
export interface ChangeEvent {
  readonly detailType: DetailType;
  readonly detail: { readonly sequence: number; readonly eventId: string } & Record<string, unknown>;
}

/**
 * Each event's `detail` as JSON Schema (draft-04, the dialect EventBridge's schema registry
 * reads), keyed by detail-type, so consumers can generate code bindings.
 */
export function eventJsonSchemas(): Record<DetailType, Record<string, unknown>> {
  return Object.fromEntries(
    DETAIL_TYPES.map((type) => [type, z.toJSONSchema(EVENT_DETAIL_SCHEMAS[type], { target: 'draft-04' })]),
  ) as unknown as Record<DetailType, Record<string, unknown>>;
}
