// The express app factory over real HTTP on a free port.
import { createLogger, invalid, notFound } from '@sms-inbox/platform';
import {
  createHttpApp,
  express,
  finishHttpApp,
  listen,
  type RunningHttpServer,
  route,
} from '../src/index.js';

const logger = createLogger('http-test', 'silent');
let server: RunningHttpServer;
let base: string;
let dbUp = true;

beforeAll(async () => {
  const app = createHttpApp({
    logger,
    readiness: [
      { name: 'database', check: () => dbUp },
      { name: 'broker', check: async () => true },
    ],
  });
  app.get(
    '/v1/things/:id',
    route(async (req, res) => {
      if (req.params.id === 'none') throw notFound('thing_not_found', 'no such thing');
      if (req.params.id === 'bad') throw invalid('invalid_thing', 'bad thing', { details: { field: 'id' } });
      if (req.params.id === 'boom') throw new Error('secret internals');
      res.json({ id: req.params.id });
    }),
  );
  app.post('/v1/things', express.json({ limit: '1kb' }), (req, res) => {
    res.json(req.body);
  });
  finishHttpApp(app, logger);
  server = await listen(app, 0, '127.0.0.1');
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
});

it('answers /healthz while the process is up', async () => {
  const res = await fetch(`${base}/healthz`);
  expect(res.status).toBe(200);
});

it('answers /readyz 503 naming the failing check, and 200 when it recovers', async () => {
  dbUp = false;
  const down = await fetch(`${base}/readyz`);
  expect(down.status).toBe(503);
  expect(await down.json()).toEqual({ status: 'not_ready', checks: { database: false, broker: true } });
  dbUp = true;
  expect((await fetch(`${base}/readyz`)).status).toBe(200);
});

it('serves Prometheus metrics with request durations by route', async () => {
  await fetch(`${base}/v1/things/abc`);
  const text = await (await fetch(`${base}/metrics`)).text();
  expect(text).toContain('sms_inbox_http_request_duration_seconds_bucket');
  expect(text).toMatch(/route="\/v1\/things\/:id"/);
  expect(text).not.toContain('/v1/things/abc');
});

it.each([
  ['/v1/things/none', 404, { code: 'thing_not_found', message: 'no such thing' }],
  ['/v1/things/bad', 400, { code: 'invalid_thing', message: 'bad thing', field: 'id' }],
  ['/v1/things/boom', 500, { code: 'internal', message: 'internal error' }],
  ['/nowhere', 404, { code: 'route_not_found', message: 'no such route' }],
])('maps GET %s to %i with the error body', async (path, status, error) => {
  const res = await fetch(`${base}${path}`);
  expect(res.status).toBe(status);
  expect(await res.json()).toEqual({ error });
});

it('answers 400 for malformed JSON and 413 for a body over the limit', async () => {
  const post = (body: string) =>
    fetch(`${base}/v1/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const malformed = await post('{"a":');
  expect(malformed.status).toBe(400);
  expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('malformed_body');
  const large = await post(JSON.stringify({ a: 'x'.repeat(5_000) }));
  expect(large.status).toBe(413);
  expect(((await large.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
});
