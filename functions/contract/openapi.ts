import * as z from 'zod';
import type { RouteDef } from '../../infra/routes';
import { type Body, isMedia, type Operation } from './common';
import { ERRORS, type ErrorStatus } from './errors';

/**
 * Builds the OpenAPI 3.1 document from the route table and the contract: a pure function, run by
 * `npm run openapi` (which commits docs/openapi.json and docs/api-reference.md) and by the drift test.
 * Zod schemas become JSON Schema 2020-12 (OpenAPI 3.1's dialect) with `z.toJSONSchema`; every schema
 * with a `.meta({ id })` becomes a component. Requests are described as the client sends them
 * (`io: 'input'`: defaults make a field optional), responses as the server writes them.
 */

type Json = Record<string, unknown>;

const SUCCESS: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted' };

const PATH_PARAMS: Record<string, string> = {
  token: 'The intake-link token from the link (unguessable; the server stores only its hash).',
  consentId: 'The consent id.',
  file: 'A plain file name from the pages’ assets.',
};

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
}

class Components {
  readonly schemas: Record<string, Json> = {};

  /** The JSON Schema of a zod schema; named subschemas go into the components, referenced by $ref. */
  add(schema: z.ZodType, io: 'input' | 'output'): Json {
    const out = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
    const text = JSON.stringify(out).replaceAll('"#/$defs/', '"#/components/schemas/');
    const { $schema: _s, $defs, ...root } = JSON.parse(text) as Json & { $defs?: Record<string, Json> };
    for (const [id, def] of Object.entries($defs ?? {})) {
      const seen = this.schemas[id];
      if (seen && JSON.stringify(seen) !== JSON.stringify(def))
        throw new Error(`Schema ${id} differs between uses (request vs response?): give each its own id`);
      this.schemas[id] = def;
    }
    return root;
  }
}

function content(components: Components, bodies: readonly Body[], io: 'input' | 'output'): Json {
  const out: Json = {};
  for (const body of bodies) {
    out[isMedia(body) ? body.mediaType : 'application/json'] = isMedia(body)
      ? {
          schema: body.binary
            ? { type: 'string', contentMediaType: body.mediaType }
            : body.mediaType === 'application/json' || body.mediaType.endsWith('+json')
              ? { type: 'object' }
              : { type: 'string' },
        }
      : { schema: components.add(body, io) };
  }
  return out;
}

function describe(body: Body): string {
  if (isMedia(body)) return body.description;
  return (z.globalRegistry.get(body)?.description as string | undefined) ?? '';
}

function responses(components: Components, op: Operation): Json {
  const out: Json = {};
  for (const [status, value] of Object.entries(op.responses)) {
    if (!value) continue;
    const bodies = (Array.isArray(value) ? value : [value]) as Body[];
    const code = Number(status);
    const error = ERRORS[code as ErrorStatus];
    const description = error
      ? `\`${error.code}\`: ${error.when}`
      : bodies.map(describe).filter(Boolean).join(' Or: ') || (SUCCESS[code] ?? 'OK');
    out[status] = {
      description,
      ...(code === 429 || code === 503
        ? { headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } } }
        : {}),
      content: content(components, bodies, 'output'),
    };
  }
  return out;
}

function parameters(components: Components, route: RouteDef, op: Operation): Json[] {
  const path = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
  const params: Json[] = path.map((name) => ({
    name,
    in: 'path',
    required: true,
    description: PATH_PARAMS[name] ?? name,
    schema: { type: 'string' },
  }));
  if (op.query) {
    const query = components.add(op.query, 'input') as {
      properties?: Record<string, Json>;
      required?: string[];
    };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      const { description, ...rest } = schema;
      params.push({
        name,
        in: 'query',
        required: (query.required ?? []).includes(name),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  return params;
}

const SECURITY: Record<RouteDef['auth'], Json[]> = {
  staff: [{ staffJwt: [] }],
  link: [],
  public: [],
};

export function buildOpenApi(
  routes: readonly RouteDef[],
  contract: Record<string, Operation>,
  info: OpenApiInfo,
): Json {
  const components = new Components();
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const op = contract[route.id];
    if (!op) throw new Error(`Route ${route.id} has no entry in functions/contract/index.ts`);
    const params = parameters(components, route, op);
    const operation: Json = {
      operationId: route.id,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: op.tags,
      security: SECURITY[route.auth],
      ...(params.length ? { parameters: params } : {}),
      ...(op.request
        ? {
            requestBody: {
              required: true,
              ...(describe(op.request) ? { description: describe(op.request) } : {}),
              content: content(components, [op.request], 'input'),
            },
          }
        : {}),
      responses: responses(components, op),
      'x-auth': route.auth,
      ...(route.localOnly ? { 'x-local-only': true } : {}),
    };
    paths[route.path] = { ...(paths[route.path] ?? {}), [route.method.toLowerCase()]: operation };
  }
  const sortedSchemas = Object.fromEntries(
    Object.entries(components.schemas).sort(([a], [b]) => a.localeCompare(b)),
  );
  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [
      { name: 'patient', description: 'Authorised by the intake-link token in the path.' },
      { name: 'clinic', description: 'Clinic staff: a bearer JWT (Cognito; /local/login locally).' },
      { name: 'public', description: 'Anyone.' },
      { name: 'local', description: 'Served by the local stack only; the CDK stack never routes it.' },
    ],
    paths,
    components: {
      schemas: sortedSchemas,
      securitySchemes: {
        staffJwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'ID token with `sub`, `email`, `name`, `custom:clinicId`, `cognito:groups` (coordinator or doctor), doctors also `custom:licence`.',
        },
      },
    },
  };
}
