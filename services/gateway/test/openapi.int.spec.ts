// The OpenAPI document: valid OpenAPI 3.1, and complete (every route the gateway serves).

import { Validator } from '@seriousme/openapi-schema-validator';
import { type NatsServer, startNats } from '@sms-inbox/devstack';
import { loadGatewayConfig } from '../src/config.js';
import { type GatewayService, startGateway } from '../src/service.js';

let nats: NatsServer;
let gateway: GatewayService;
let document: { openapi: string; paths: Record<string, Record<string, { security?: unknown[] }>> };

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
