// The OpenAPI document: valid OpenAPI 3.1, clean under Redocly's recommended rules, and exact:
// every route the gateway serves, with its success status and its schemas, and nothing else.

import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { type NatsServer, startNats } from '@sms-inbox/devstack';
import { z } from 'zod';
import { loadGatewayConfig } from '../src/config.js';
import type { AnyRoute } from '../src/http/api-route.js';
import { gatewayRoutes } from '../src/http/routes/index.js';
import { type GatewayService, startGateway } from '../src/service.js';

let nats: NatsServer;
let gateway: GatewayService;
interface Operation {
  security?: unknown[];
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
let document: { openapi: string; paths: Record<string, Record<string, Operation>> };

beforeAll(async () => {
  nats = await startNats();
  gateway = await startGateway(
    loadGatewayConfig({
      GATEWAY_PORT: '0',
      NATS_URL: nats.url,
      SHOPIFY_API_KEY: 'k',
      SHOPIFY_API_SECRET: 's',
      TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
      TWILIO_AUTH_TOKEN: 't',
      SUBSCRIBER_GRPC_ADDR: '127.0.0.1:1',
      CONVERSATION_GRPC_ADDR: '127.0.0.1:1',
      LOG_LEVEL: 'silent',
    }),
  );
  const res = await fetch(`http://127.0.0.1:${gateway.port}/v1/openapi.json`);
  expect(res.status).toBe(200);
  document = (await res.json()) as typeof document;
});

afterAll(async () => {
  await gateway?.stop();
  await nats?.stop();
});

it('is served without a token and validates as OpenAPI 3.1', async () => {
  expect(document.openapi).toBe('3.1.0');
  const validator = new Validator();
  const result = await validator.validate(document);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
});

it('lists every route the gateway serves, and nothing it does not', () => {
  const operational = new Set(['GET /healthz', 'GET /readyz', 'GET /metrics']);
  const served = gateway.routes.filter((r) => !operational.has(r)).map((r) => r.replace(/:(\w+)/g, '{$1}'));
  const documented = Object.entries(document.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
  );
  expect(served.length).toBeGreaterThan(10);
  expect([...documented].sort()).toEqual([...served].sort());
});

it('marks only the document itself as needing no token', () => {
  const open = Object.entries(document.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => Array.isArray(op.security) && op.security.length === 0)
      .map(([m]) => `${m} ${path}`),
  );
  expect(open).toEqual(['get /v1/openapi.json']);
});

it("passes Redocly's recommended lint rules", async () => {
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lintFromString({
    source: JSON.stringify(document),
    absoluteRef: 'openapi.json',
    config,
  });
  const found = problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer ?? ''}`);
  // The one exception: the document itself answers no client error.
  expect(found).toEqual(['warn operation-4xx-response #/paths/~1v1~1openapi.json/get/responses']);
});

it("documents each route's success status, request body, query and response schemas as declared", () => {
  const declared: AnyRoute[] = gatewayRoutes(
    { subscribers: {}, conversations: {}, media: {}, timeoutMs: 1 } as never,
    [{ method: 'get', path: '/v1/events' } as AnyRoute],
  );
  const schema = (s: z.ZodType, io: 'input' | 'output') => {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<
      string,
      unknown
    >;
    return rest;
  };
  for (const route of declared.filter((r) => r.path !== '/v1/events')) {
    const op = document.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[route.method];
    const where = `${route.method} ${route.path}`;
    expect({ where, documented: Boolean(op) }).toEqual({ where, documented: true });
    const status = String(route.status ?? 200);
    const success = Object.keys(op!.responses).filter((code) => code.startsWith('2'));
    expect({ where, success }).toEqual({ where, success: [status] });
    const content = op!.responses[status]!.content ?? {};
    if (route.response)
      expect({ where, schema: Object.values(content)[0]?.schema }).toEqual({
        where,
        schema: schema(route.response, 'output'),
      });
    expect({ where, body: op!.requestBody?.content['application/json']?.schema }).toEqual({
      where,
      body: route.body ? schema(route.body, 'input') : undefined,
    });
    const query = (op!.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    expect({ where, query }).toEqual({ where, query: Object.keys(route.query?.shape ?? {}) });
  }
  // The product's main call answers 202, and says so.
  expect(Object.keys(document.paths['/v1/conversations/{id}/replies']!.post!.responses)).toContain('202');
});
