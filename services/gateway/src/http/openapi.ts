// The OpenAPI 3.1 document of the gateway, generated from the routes it serves (their
// declarations in routes/*.routes.ts carry the schemas that validate requests and type the
// responses), so every route served is documented and nothing else is.
import { z } from 'zod';
import type { AnyRoute } from './api-route.js';
import { errorBody } from './schemas.js';

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
};

const errorResponse = (status: number) => ({
  description:
    {
      400: 'bad input',
      401: 'missing, invalid or expired session token',
      404: 'not found (or another shop’s)',
      409: 'conflict',
      413: 'body too large',
      429: 'rate limited (see Retry-After)',
      503: 'a backing service is unavailable',
      504: 'a backing service timed out',
    }[status] ?? 'error',
  content: { 'application/json': { schema: jsonSchema(errorBody, 'output') } },
});

export function openApiDocument(routes: readonly AnyRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const auth = route.auth !== false;
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [...route.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    for (const [name, field] of Object.entries(route.query?.shape ?? {})) {
      const f = field as z.ZodType;
      parameters.push({
        name,
        in: 'query',
        required: !f.safeParse(undefined).success,
        schema: jsonSchema(f, 'input'),
      });
    }
    const responses: Record<string, unknown> = {
      [String(route.status ?? 200)]: {
        description: route.summary,
        content: {
          [route.contentType ?? 'application/json']: route.response
            ? { schema: jsonSchema(route.response, 'output') }
            : {},
        },
      },
    };
    for (const status of [...(route.errors ?? []), ...(auth ? [401, 429, 503, 504] : [])]) {
      responses[String(status)] = errorResponse(status);
    }
    paths[path] ??= {};
    paths[path][route.method] = {
      operationId: `${route.method}${path.replace(/[{}]/g, '').replace(/[^a-zA-Z0-9]+(.)/g, (_m, c: string) => c.toUpperCase())}`,
      summary: route.summary,
      ...(auth ? {} : { security: [] }),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'sms-inbox gateway',
      version: '1',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
      description:
        'The dashboard API of the sms-inbox two-way SMS inbox. Errors: {"error": {"code", "message", …}}.',
    },
    servers: [{ url: '/', description: 'The gateway that serves this document' }],
    components: {
      securitySchemes: {
        sessionToken: { type: 'http', scheme: 'bearer', bearerFormat: 'Shopify session token (HS256 JWT)' },
      },
    },
    security: [{ sessionToken: [] }],
    paths,
  };
}
