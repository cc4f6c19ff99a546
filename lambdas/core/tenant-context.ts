import * as z from 'zod';
import { tenantIdSchema } from '../../schemas/api/common';
import { UnauthenticatedError } from './errors';

export { tenantIdSchema };

/** Who is calling, as proven by a verified token. Nothing else may set these fields. */
export interface TenantContext {
  readonly tenantId: string;
  readonly subject: string;
  readonly orgIds: readonly string[];
  readonly roles: readonly string[];
}

/**
 * A verified tenant's API request. Its correlation id is API Gateway's request id: the work the
 * request sets off (events, sync runs) carries it, and logs name it `correlation_id`.
 */
export interface TenantRequest extends TenantContext {
  readonly correlationId: string;
}

/** A tenant's services, composed for that tenant alone; the verified token names the tenant. */
export type TenantScope<T> = (tenantId: string) => Promise<T>;

export const TENANT_OWNER_ROLE = 'tenant_owner';

/**
 * API Gateway passes an authorizer's context to the function as flat strings, so the lists
 * travel as JSON. This pair of functions is the only place that encodes and decodes them.
 */
export type AuthorizerContext = Record<'tenantId' | 'subject' | 'orgIds' | 'roles', string>;

export function toAuthorizerContext(tenant: TenantContext): AuthorizerContext {
  return {
    tenantId: tenant.tenantId,
    subject: tenant.subject,
    orgIds: JSON.stringify(tenant.orgIds),
    roles: JSON.stringify(tenant.roles),
  };
}

const jsonStringList = z.string().transform((text, ctx) => {
  const parsed = z.array(z.string()).safeParse(safeJsonParse(text));
  if (!parsed.success) {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON list of strings' });
    return z.NEVER;
  }
  return parsed.data;
});

const authorizerContextSchema = z.object({
  tenantId: tenantIdSchema,
  subject: z.string().min(1),
  orgIds: jsonStringList,
  roles: jsonStringList,
});

/**
 * Reads the tenant from the verified authorizer context of an API Gateway event. Headers and
 * bodies are never consulted, so an `X-Tenant-Id` header or a `tenantId` field changes nothing.
 */
export function tenantFromAuthorizer(authorizer: unknown): TenantContext {
  const result = authorizerContextSchema.safeParse(authorizer);
  if (!result.success) throw new UnauthenticatedError();
  return result.data;
}

export function hasRole(tenant: TenantContext, role: string): boolean {
  return tenant.roles.includes(role);
}

function safeJsonParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
