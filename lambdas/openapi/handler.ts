import { httpHandler } from '../core/http';
import { API_ROUTES } from '../routes';
import { buildOpenApiDocument } from './document';

/** The document changes only with a deployment, so it is built once per cold start. */
const document = buildOpenApiDocument(API_ROUTES, '1.0.0');

/** GET /v1/openapi.json */
export const handler = httpHandler({}, async () => ({
  status: 200,
  body: document,
  headers: { 'cache-control': 'public, max-age=300' },
}));
