import type { EventsQuery } from '../../schemas/api/activity';
import type { Integration } from '../../schemas/api/integrations';
import type { ChangeEvent } from '../../schemas/events';
import { AppError } from '../core/errors';
import type { AuditRecord } from '../domain/audit';
import type { Page, PageRequest } from '../domain/page';

export interface NewIntegration {
  readonly tenantId: string;
  readonly integration: Integration;
  /** The role's identity inside the tenant (partition, account, lower-cased name). */
  readonly roleIdentity: string;
  /** `Integration Created`, written to the outbox in the same transaction (sequence 1). */
  readonly event: ChangeEvent;
  /** When its first scheduled sync is due (ISO 8601): this puts it on the schedule. */
  readonly firstDueAt: string;
  readonly audit: AuditRecord;
}

/** A PATCH, written in one transaction if `before.version` is still the stored one. */
export interface IntegrationUpdate {
  readonly tenantId: string;
  readonly before: Integration;
  readonly after: Integration;
  /** Role claim keys, when the role changes. */
  readonly roleIdentities: { readonly before: string; readonly after: string } | null;
  /** `Integration Updated`, numbered and written to the outbox in the same transaction. */
  readonly event: (sequence: number) => ChangeEvent;
  /** The audit entry, written in the same transaction. */
  readonly audit: AuditRecord;
}

export interface IntegrationStore {
  /**
   * Stores a new integration with its handle and role claims and its Created event in one
   * transaction. Throws
   * HandleTakenError or RoleAlreadyConnectedError, and then nothing is written.
   */
  create(item: NewIntegration): Promise<void>;
  get(tenantId: string, integrationId: string): Promise<Integration | undefined>;
  /**
   * Writes a PATCH with its event, moving the handle and role claims when they change. Throws
   * VersionConflictError (or IntegrationDeletingError), HandleTakenError or
   * RoleAlreadyConnectedError, and then nothing is written.
   */
  update(update: IntegrationUpdate): Promise<void>;
  /** How many integrations the tenant holds, those being deleted included. */
  count(tenantId: string): Promise<number>;
  /** Throws a ValidationError for a cursor it did not issue to this tenant. */
  list(tenantId: string, page: PageRequest): Promise<Page<Integration>>;
}

export class HandleTakenError extends AppError {
  constructor(handle: string) {
    super('HANDLE_TAKEN', `Another integration already has the handle ${handle}.`, {
      hint: 'Choose another handle.',
    });
  }
}

export class RoleAlreadyConnectedError extends AppError {
  constructor(roleArn: string) {
    super('ROLE_ALREADY_CONNECTED', `The role ${roleArn} is already connected in this tenant.`, {
      hint: 'Use the existing integration, or delete it first.',
    });
  }
}

export interface EventPage {
  readonly items: readonly ChangeEvent[];
  readonly hasMore: boolean;
}

/** An integration's stored change events, read back a page at a time. */
export interface ActivityReader {
  page(tenantId: string, integrationId: string, query: EventsQuery): Promise<EventPage>;
}

/** The first answer to a request sent with an `Idempotency-Key`, with what that request was. */
export interface RememberedAnswer {
  /** SHA-256 of the request, its object keys sorted; the scope it asked for is part of it. */
  readonly requestHash: string;
  /** Who the answer was given to: it is replayed to nobody else. Absent on answers kept before. */
  readonly subject?: string;
  readonly body: unknown;
}

/** Answers kept per tenant and key, for a day. */
export interface IdempotencyStore {
  find(tenantId: string, key: string): Promise<RememberedAnswer | undefined>;
  /** Keeps the first answer; a key already remembered keeps its own. */
  remember(tenantId: string, key: string, answer: RememberedAnswer): Promise<void>;
}
