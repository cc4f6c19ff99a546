import createClient from 'openapi-fetch';
import type { paths } from './generated/api';

export type { paths };

/**
 * A typed client of the REST API for a frontend (openapi-fetch on the generated types): paths,
 * parameters, bodies and answers, errors included, as `schemas/generated/openapi.json` says.
 * `token` is asked for each request, so a refreshed token is used as soon as there is one.
 */
export function createApiClient(options: { baseUrl: string; token: () => string | Promise<string> }) {
  const client = createClient<paths>({ baseUrl: options.baseUrl });
  client.use({
    async onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${await options.token()}`);
      return request;
    },
  });
  return client;
}
