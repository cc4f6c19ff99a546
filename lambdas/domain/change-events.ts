import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Scope } from '../../schemas/api/common';
import {
  type ChangeEvent,
  type DetailType,
  EVENT_SCHEMA_VERSION,
  type FieldChange,
} from '../../schemas/events';
import type { MirrorNode } from '../../schemas/sync';
import type { Change } from './sync-runs';

export interface EventContext {
  readonly tenantId: string;
  readonly scope: Scope;
  readonly integrationId: string;
  readonly syncRunId: string | null;
  readonly correlationId: string;
}

/** What set off an event outside a sync run: the tenant, and the request's correlation id. */
export interface EventOrigin {
  readonly tenantId: string;
  readonly correlationId: string;
}

/** The context of an event written outside a sync run, by a request or a member check. */
export function originContext(
  origin: EventOrigin,
  integration: { readonly id: string; readonly scope: Scope },
): EventContext {
  return {
    tenantId: origin.tenantId,
    scope: integration.scope,
    integrationId: integration.id,
    syncRunId: null,
    correlationId: origin.correlationId,
  };
}

/** Bookkeeping fields: they change with every write and are not news to consumers. */
const UNREPORTED_FIELDS = new Set(['version', 'updatedAt']);

/**
 * The same integration and sequence always give the same id, so a redelivered event keeps it.
 * Formatted as a UUID for consumers that store ids in UUID columns.
 */
export function eventIdOf(integrationId: string, sequence: number): string {
  const hex = createHash('sha256').update(`${integrationId}:${sequence}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function buildEvent(
  detailType: DetailType,
  ctx: EventContext,
  sequence: number,
  payload: Record<string, unknown>,
): ChangeEvent {
  return {
    detailType,
    detail: {
      schemaVersion: EVENT_SCHEMA_VERSION,
      eventId: eventIdOf(ctx.integrationId, sequence),
      tenantId: ctx.tenantId,
      scope: ctx.scope,
      integrationId: ctx.integrationId,
      sequence,
      syncRunId: ctx.syncRunId,
      correlationId: ctx.correlationId,
      ...payload,
    },
  };
}

/** The event that announces a mirror change: Created, Updated (with its field changes) or Deleted. */
export function changeEventOf(change: Change, ctx: EventContext, sequence: number): ChangeEvent {
  const node = change.kind === 'update' ? change.after : change.node;
  const noun = node.type === 'folder' ? 'Folder' : 'Connection';
  const payload = { [node.type]: node };
  switch (change.kind) {
    case 'create':
      return buildEvent(`${noun} Created`, ctx, sequence, payload);
    case 'delete':
      return buildEvent(`${noun} Deleted`, ctx, sequence, payload);
    case 'update':
      return buildEvent(`${noun} Updated`, ctx, sequence, {
        ...payload,
        changes: fieldChanges(change.before, change.after),
      });
  }
}

export function fieldChanges(before: MirrorNode, after: MirrorNode): FieldChange[] {
  const from = before as unknown as Record<string, unknown>;
  const to = after as unknown as Record<string, unknown>;
  return Object.keys(to)
    .filter((field) => !UNREPORTED_FIELDS.has(field) && !isDeepStrictEqual(from[field], to[field]))
    .map((field) => ({ field, from: from[field] ?? null, to: to[field] ?? null }));
}

/** Fields no event may carry, at any depth: the External ID is a secret between us and the customer. */
const SECRET_FIELDS = new Set(['externalId']);

/**
 * The event as it may leave us. Every event is published through the outbox, and the outbox
 * writes only what this returns, so no caller has to remember to strip an integration.
 */
export function publishable(event: ChangeEvent): ChangeEvent {
  return { detailType: event.detailType, detail: withoutSecrets(event.detail) as ChangeEvent['detail'] };
}

function withoutSecrets(value: unknown): unknown {
  // A field change names its field: the change of a secret goes whole.
  if (Array.isArray(value)) return value.filter((item) => !namesSecret(item)).map(withoutSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([field]) => !SECRET_FIELDS.has(field))
      .map(([field, inner]) => [field, withoutSecrets(inner)]),
  );
}

function namesSecret(item: unknown): boolean {
  return (
    typeof item === 'object' && item !== null && 'field' in item && SECRET_FIELDS.has(String(item.field))
  );
}
