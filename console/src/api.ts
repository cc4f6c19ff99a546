import { createApiClient, type paths } from '../../schemas/api-client';

/**
 * The console's only way to the API: the committed typed client. Every type below is read off
 * the generated OpenAPI types, so a change of the API's shapes fails the console's type-check.
 */
type Method = 'get' | 'post' | 'patch' | 'delete';
type JsonOf<R> = R extends { content: { 'application/json': infer Body } } ? Body : never;
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type Responses<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { responses: infer R } ? R : never;
/** The JSON a route answers on success (its 200). */
export type Answer<P extends keyof paths, M extends Method = 'get'> = JsonOf<
  Responses<P, M>[200 & keyof Responses<P, M>]
>;
/** The JSON body a route takes. */
export type RequestBody<P extends keyof paths, M extends Method> =
  Operation<P, M> extends {
    requestBody?: { content: { 'application/json': infer Body } };
  }
    ? Body
    : never;

export type Integration = Answer<'/v1/integrations/{id}'>;
export type StatusReport = Answer<'/v1/integrations/{id}/status'>;
export type TreeNode = Answer<'/v1/integrations/{id}/tree'>['items'][number];
export type Connection = Extract<TreeNode, { type: 'connection' }>;
export type Folder = Extract<TreeNode, { type: 'folder' }>;
export type RoleTestReport = Answer<'/v1/aws/test-connection', 'post'>;
export type Onboarding = Answer<'/v1/aws/onboarding'>;
export type SyncRun = Answer<'/v1/integrations/{id}/runs'>['items'][number];
export type ChangeEvent = Answer<'/v1/integrations/{id}/events'>['items'][number];
export type CreateIntegration = RequestBody<'/v1/integrations', 'post'>;
export type NodePatch = RequestBody<'/v1/integrations/{id}/connections/{accountId}', 'patch'>;
export type Permissions = Integration['permissions'];
export type Scope = Integration['scope'];

/** An error answer, as the API's envelope says it: a stable code, a message, often a hint. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint: string | null,
    readonly requestId: string | null,
    readonly details: Record<string, unknown> | null,
    /** Seconds to wait, from a 429's Retry-After. */
    readonly retryAfter: number | null,
  ) {
    super(message);
  }
}

export interface Session {
  readonly token: string;
  readonly label: string;
}

type Listener = (session: Session | null) => void;

/**
 * The signed-in session, in memory only: a token is never written to storage, so a reload
 * signs in again (at once, where the identity provider still has its own session).
 */
class SessionStore {
  private current: Session | null = null;
  private readonly listeners = new Set<Listener>();

  get(): Session | null {
    return this.current;
  }

  set(session: Session | null): void {
    this.current = session;
    for (const listener of this.listeners) listener(session);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export const session = new SessionStore();

let client: ReturnType<typeof createApiClient> | null = null;

/** Points the client at the API the console's config names. */
export function connectApi(baseUrl: string): void {
  client = createApiClient({ baseUrl: baseUrl.replace(/\/$/, ''), token: () => session.get()?.token ?? '' });
}

export function api(): ReturnType<typeof createApiClient> {
  if (!client) throw new Error('The API is not configured yet.');
  return client;
}

/**
 * Unwraps a client call: the data on success; otherwise an ApiError from the envelope. A 401
 * ends the session, which brings the sign-in page back.
 */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const envelope = (error as { error?: Record<string, unknown> } | undefined)?.error ?? {};
  const text = (key: string) => (typeof envelope[key] === 'string' ? (envelope[key] as string) : null);
  const retryAfter = Number(response.headers.get('retry-after'));
  const failure = new ApiError(
    response.status,
    text('code') ?? `HTTP_${response.status}`,
    text('message') ?? response.statusText,
    text('hint'),
    text('requestId'),
    (envelope.details as Record<string, unknown> | undefined) ?? null,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  );
  if (response.status === 401) session.set(null);
  throw failure;
}

/** The claims a token states about its holder, for display and for the scopes it may pick. */
export function claimsOf(token: string): { tenantId: string; orgIds: string[]; roles: string[] } {
  try {
    const payload = JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/')));
    return {
      tenantId: String(payload.tenant_id ?? ''),
      orgIds: Array.isArray(payload.org_ids) ? payload.org_ids.map(String) : [],
      roles: Array.isArray(payload.roles) ? payload.roles.map(String) : [],
    };
  } catch {
    return { tenantId: '', orgIds: [], roles: [] };
  }
}

export function scopeLabel(scope: Scope): string {
  return scope.level === 'tenant' ? 'Tenant' : `Org ${scope.orgId}`;
}
