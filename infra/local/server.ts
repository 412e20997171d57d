import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { SECURITY_HEADERS } from '../../functions/http/api';
import { matchPath, type RouteDef, routes } from '../routes';
import { loadHandler } from './handlers';
import { lambdaContext } from './lambda-context';

/**
 * The local stand-in for API Gateway (HTTP API, payload v2): request → event → the same handler
 * Lambda runs → response. No business logic here; only what API Gateway itself does.
 */
const MAX_BODY = 10 * 1024 * 1024; // API Gateway's own limit
/**
 * The content types an HTTP API hands to Lambda as a UTF-8 string (`isBase64Encoded: false`); every other
 * body, also `application/x-www-form-urlencoded` and one without a content type, arrives base64-encoded,
 * byte for byte. A text body that is not UTF-8 loses bytes on the way, as it does here.
 */
const TEXT_TYPES = /^\s*(text\/|application\/(json|xml|javascript)\b)/i;

/** Whether API Gateway (and this server) hands a body of this content type to Lambda as text. */
export function isTextContentType(contentType: string): boolean {
  return TEXT_TYPES.test(contentType);
}

/**
 * Responses the server makes itself (no route, body too large, redirect, crash) carry the same security
 * headers as every handler response (functions/http/api.ts): a 404 is a page a browser renders too.
 */
function writeOwn(res: ServerResponse, status: number, headers: Record<string, string>, body = ''): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers });
  res.end(body);
}

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

function notFound(res: ServerResponse, message = 'No such route.') {
  writeOwn(res, 404, JSON_TYPE, JSON.stringify({ error: 'not_found', message }));
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return 'too_large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function toEvent(
  req: IncomingMessage,
  route: RouteDef,
  params: Record<string, string>,
  body: Buffer,
): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const contentType = headers['content-type'] ?? '';
  const isText = body.length === 0 || isTextContentType(contentType);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(params).length ? { pathParameters: params } : {}),
    ...(headers.cookie ? { cookies: headers.cookie.split(/;\s*/) } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: route.method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

function writeResult(res: ServerResponse, result: APIGatewayProxyStructuredResultV2 | string | undefined) {
  if (typeof result === 'string' || result === undefined) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(result ?? '');
    return;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  res.writeHead(result.statusCode ?? 200, headers);
  const body = result.body ?? '';
  res.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

export function createLocalServer(): Server {
  return createServer(async (req, res) => {
    try {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (req.method === 'GET' && (path === '/' || path === '')) {
        writeOwn(res, 302, { location: '/clinic' });
        return;
      }
      let match: { route: RouteDef; params: Record<string, string> } | undefined;
      for (const route of routes) {
        if (route.method !== req.method) continue;
        const params = matchPath(route.path, path);
        if (params) {
          match = { route, params };
          break;
        }
      }
      if (!match) return notFound(res);
      const body = await readBody(req);
      if (body === 'too_large') {
        writeOwn(
          res,
          413,
          { ...JSON_TYPE, connection: 'close' },
          JSON.stringify({ error: 'payload_too_large', message: 'The request body is too large.' }),
        );
        return;
      }
      const handler = await loadHandler(match.route.entry);
      const event = toEvent(req, match.route, match.params, body);
      const result = (await handler(
        event,
        lambdaContext(match.route.id, match.route.timeoutSeconds),
      )) as APIGatewayProxyStructuredResultV2;
      writeResult(res, result);
    } catch (err) {
      // A handler that throws past its middleware is a Lambda error: API Gateway answers 500.
      console.error('local server: handler crashed', (err as Error).name);
      const body = JSON.stringify({ error: 'internal_error', message: 'Something went wrong.' });
      if (!res.headersSent) writeOwn(res, 500, JSON_TYPE, body);
      else res.end();
    }
  });
}
