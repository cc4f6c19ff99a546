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
import type { Change } from './ports';

export interface EventContext {
  readonly tenantId: string;
  readonly scope: Scope;
  readonly integrationId: string;
  readonly syncRunId: string | null;
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
