import * as z from 'zod';
import { listQuerySchema, listSchema, scopeSchema } from './common';

/** What an audit entry records: every change made through the API, by what it changed. */
export const AUDIT_ACTIONS = [
  'integration.created',
  'integration.modified',
  'integration.deletion-requested',
  'integration.sync-started',
  'integration.members-tested',
  'external-id.rotated',
  'role.tested',
  'folder.modified',
  'connection.modified',
  'connection.approved',
  'connection.rejected',
] as const;
export const auditActionSchema = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof auditActionSchema>;

/** The widest window one audit query may span. */
export const MAX_AUDIT_RANGE_DAYS = 400;

/**
 * One change made through the API. It never holds an External ID, a role's credentials or a
 * token: a rotation is recorded by its action alone.
 */
export const auditEntrySchema = z.object({
  id: z.uuid(),
  at: z.iso.datetime(),
  /** Who made the change, as their verified token said. */
  actor: z.object({
    sub: z.string(),
    tenantId: z.string(),
    /** The org the actor acted for, when the target belongs to one. */
    orgId: z.string().optional(),
    /** The roles (groups) the token granted. */
    groups: z.array(z.string()),
  }),
  action: auditActionSchema,
  target: z.object({
    type: z.enum(['integration', 'folder', 'connection', 'external-id', 'role']),
    id: z.string(),
  }),
  /** The integration the change concerns, when it concerns one. */
  integrationId: z.uuid().optional(),
  /** Who may read the entry: the target's scope. */
  scope: scopeSchema,
  /** Each field that changed, before and after. */
  changes: z.record(z.string(), z.object({ before: z.unknown(), after: z.unknown() })).optional(),
  /** API Gateway's id of the request. */
  requestId: z.string(),
  /** What the work the request set off carries (runs, events, logs). */
  correlationId: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/**
 * GET /v1/audit: entries newest first, between `from` and `to` (ISO 8601; the last
 * `MAX_AUDIT_RANGE_DAYS` days until now by default), of one integration or of all.
 */
export const auditQuerySchema = listQuerySchema
  .extend({
    integrationId: z.uuid().optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((query) => !query.from || !query.to || Date.parse(query.from) <= Date.parse(query.to), {
    message: 'from must not be after to',
    path: ['from'],
  });
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const auditListSchema = listSchema(auditEntrySchema);
export type AuditList = z.infer<typeof auditListSchema>;
