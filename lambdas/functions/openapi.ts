import { publicHttpHandler } from '../core/http';
import { API_DOCUMENT_VERSION, buildOpenApiDocument } from '../openapi/document';
import { API_ROUTES } from '../routes';

/** The document changes only with a deployment, so it is built once per cold start. */
const document = buildOpenApiDocument(API_ROUTES, API_DOCUMENT_VERSION);

/** GET /v1/openapi.json, without a token: it describes the API and holds no tenant's data. */
export const handler = publicHttpHandler(async () => ({
  status: 200,
  body: document,
  headers: { 'cache-control': 'public, max-age=300' },
}));
