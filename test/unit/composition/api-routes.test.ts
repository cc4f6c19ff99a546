import { scopedRoutes } from '../../../lambdas/composition/api-routes';
import { lambdaContext, proxyEvent } from '../../fixtures/api-gateway';

const INTEGRATION = '0b1d4c9e-5a3f-4e21-9c7d-2f6a8b0e4d13';

const routes = scopedRoutes(async (tenantId) => ({ tenantId }), {
  'GET /v1/integrations/{id}/runs': async ({ path, query }, services) => ({
    status: 200,
    body: { id: path.id, limit: query.limit, tenantId: services.tenantId },
  }),
});

const runs = routes['GET /v1/integrations/{id}/runs'];
const event = (id: string, limit: string) =>
  proxyEvent({
    httpMethod: 'GET',
    resource: '/v1/integrations/{id}/runs',
    pathParameters: { id },
    queryStringParameters: { limit },
  });

describe("a function's routes, validated by the route list", () => {
  it("hands each handler its route's input as the route list's schemas read it", async () => {
    const result = await runs?.(event(INTEGRATION, '5'), lambdaContext);

    expect(result?.statusCode).toBe(200);
    expect(JSON.parse(result?.body ?? '')).toEqual({ id: INTEGRATION, limit: 5, tenantId: 'tenant-a' });
  });

  it("refuses what the route's schemas refuse, before the handler runs", async () => {
    const result = await runs?.(event('not-a-uuid', '500'), lambdaContext);

    expect(result?.statusCode).toBe(400);
    expect(JSON.parse(result?.body ?? '').error.code).toBe('VALIDATION_FAILED');
  });

  it('builds no handler for a route the function does not serve', () => {
    expect(Object.keys(routes)).toEqual(['GET /v1/integrations/{id}/runs']);
  });
});
