import {
  type ApiHandler,
  type HttpRequest,
  type HttpResponse,
  type RouteKey,
  scopedHttpHandler,
} from '../core/http';
import type { TenantScope } from '../core/tenant-context';
import { API_ROUTES, type ApiRouteKey, type RouteInput } from '../routes';

/** A route's work: its input as the route list's schemas validated it, and the tenant's services. */
export type RouteHandler<K extends ApiRouteKey, D> = (
  request: HttpRequest<RouteInput<K>['body'], RouteInput<K>['query'], RouteInput<K>['path']>,
  services: D,
) => Promise<HttpResponse>;

/**
 * The handlers of a function's tenant-scoped routes, by route key. Each is validated with the
 * request schemas the route list gives that key, so a route and its schemas are declared once.
 */
export function scopedRoutes<D>(
  scope: TenantScope<D>,
  handlers: { readonly [K in ApiRouteKey]?: RouteHandler<K, D> },
): Partial<Record<RouteKey, ApiHandler>> {
  const route = scopedHttpHandler(scope);
  const built: Partial<Record<RouteKey, ApiHandler>> = {};
  for (const { method, path, request } of API_ROUTES) {
    const key = `${method} ${path}` as ApiRouteKey;
    const handler = handlers[key] as RouteHandler<ApiRouteKey, D> | undefined;
    if (handler) built[key] = route<unknown, unknown, unknown>(request ?? {}, handler as never);
  }
  return built;
}
