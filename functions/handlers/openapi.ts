import document from '../../docs/openapi.json' with { type: 'json' };
import { route } from '../../infra/routes';
import { type HttpResult, httpHandler } from '../http/api';

/**
 * GET /openapi.json: the OpenAPI 3.1 document of this API. Generated at build time by `npm run openapi`
 * (functions/contract/) and committed, so this function only returns imported JSON: nothing is built at
 * cold start. Public and cacheable, unlike every other response (SECURITY_HEADERS say no-store).
 */
const body = JSON.stringify(document);

export async function getOpenApi(): Promise<HttpResult> {
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300' },
    body,
  };
}

export const handler = httpHandler(getOpenApi, route('openapi'));
