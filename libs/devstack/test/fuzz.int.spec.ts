// biome-ignore-all lint/suspicious/noControlCharactersInRegex: control characters are what the fuzzer sends and strips
// Bad input, generated: random and malformed bodies, headers, content types, encodings, huge and
// empty payloads and odd unicode at every webhook and every API route (taken from the served
// OpenAPI document). Never a 5xx, every process stays up and ready, and nothing is stored for
// what was refused.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import {
  countDocuments,
  DashboardClient,
  eventually,
  type JsonBody,
  type Stack,
  startStack,
  TwilioWebhookSender,
  tempDir,
  twilioSignature,
} from '../src/index.js';

const SHOP = 'fuzzed.myshopify.com';
const NUMBER = '+14155550990';
const RUNS = Number(process.env.FUZZ_RUNS ?? 30);
/** FUZZ_SEED replays a failure fast-check reported (its `seed`); unset, every run draws new inputs. */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const SERVICES = ['gateway', 'ingestion', 'subscriber', 'conversation', 'delivery', 'scheduler'] as const;

let stack: Stack;
let dashboard: DashboardClient;
let known: { conversationId: string; subscriberId: string; messageId: string };
const outcomes: Array<{ route: string; status: number }> = [];

const odd = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  '\uFEFF',
  '\uD800',
  'e\u0301',
  '𝔖𝔗𝔒𝔓',
  '😀'.repeat(300),
  'A'.repeat(70_000),
  '%',
  '%E0%A4%A',
  '{"a":',
  '[]',
  'null',
  'true',
  '../../etc/passwd',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '+14155550990',
  'STOP',
  '9'.repeat(400),
  '-1',
  '1e309',
);
const text = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 60 }), odd);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/x-www-form-urlencoded',
  'text/plain',
  'text/xml',
  'multipart/form-data; boundary=zz',
  'image/png',
  '*/*',
  '',
);
const body = fc.oneof(
  text,
  fc.json({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc
    .dictionary(
      fc.constantFrom(
        'text',
        'mediaUrl',
        'discountCode',
        'send',
        'phoneNumber',
        'keywords',
        'timezone',
        'quietHours',
        'texts',
      ),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .map((v) => JSON.stringify(v)),
  fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b).toString('latin1')),
);

/** Percent-encodes anything, lone surrogates included (as U+FFFD, as a browser would). */
const encode = (value: string) =>
  encodeURIComponent(
    value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  );

async function send(route: string, url: string, init: RequestInit): Promise<number> {
  const res = await fetch(url, init).catch((err: unknown) => ({ status: -1, err }) as const);
  if ('err' in res) throw new Error(`${route}: connection failed: ${String(res.err)}`);
  await res.arrayBuffer().catch(() => undefined);
  outcomes.push({ route, status: res.status });
  return res.status;
}

const receipts = () => countDocuments(stack.env.MONGODB_URI!, 'sms_inbox_ingestion', 'receipts');

beforeAll(async () => {
  stack = await startStack({ dir: tempDir('e2e-fuzz'), logLevel: 'error' });
  dashboard = await DashboardClient.forShop(stack, SHOP, 'fuzzer');
  expect(
    (await dashboard.request('PUT', '/v1/shop', { phoneNumber: NUMBER, keywords: ['JOIN'], timezone: 'UTC' }))
      .status,
  ).toBe(200);
  const twilio = new TwilioWebhookSender(stack);
  await twilio.send({ from: '+14155559901', to: NUMBER, body: 'JOIN' });
  await twilio.send({ from: '+14155559901', to: NUMBER, body: 'a real question' });
  const c: JsonBody = await eventually(async () => (await dashboard.all('/v1/conversations'))[0]);
  known = { conversationId: c.id, subscriberId: c.subscriber.id, messageId: c.lastMessage.id };
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

it('answers every API route 2xx/4xx for random bodies, content types and ids, with a valid token', async () => {
  const doc = (await (await fetch(`${stack.gatewayUrl}/v1/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((m) => ({ path, method: m.toUpperCase() })),
  );
  expect(routes.length).toBeGreaterThanOrEqual(18);
  const id = fc.oneof(
    fc.constantFrom(known.conversationId, known.subscriberId, known.messageId, '0', '-1', ''),
    text.map(encode),
  );
  for (const route of routes.filter((r) => r.path !== '/v1/events')) {
    await fc.assert(
      fc.asyncProperty(id, id, body, contentType, fc.boolean(), async (a, b, payload, type, withQuery) => {
        const path = route.path.replace('{id}', a || 'x').replace('{n}', b || '0');
        const query = withQuery
          ? `?limit=${encode(payload.slice(0, 20))}&cursor=${encode(payload.slice(0, 40))}&status=${encode(payload.slice(0, 10))}&q=${encode(payload.slice(0, 30))}`
          : '';
        const status = await send(`${route.method} ${route.path}`, `${stack.gatewayUrl}${path}${query}`, {
          method: route.method,
          headers: {
            authorization: `Bearer ${dashboard.token}`,
            ...(type ? { 'content-type': type } : {}),
            'idempotency-key': payload.slice(0, 300).replace(/[^\x20-\x7e]/g, '') || 'k',
          },
          body: route.method === 'GET' ? undefined : payload,
        });
        return status >= 200 && status < 500;
      }),
      { numRuns: RUNS, seed: SEED },
    );
  }
}, 600_000);

it('answers 401 to random and forged tokens, and 413 to a huge body', async () => {
  await fc.assert(
    fc.asyncProperty(text, async (token) => {
      const status = await send('token', `${stack.gatewayUrl}/v1/conversations`, {
        headers: { authorization: `Bearer ${token.replace(/[^\x20-\x7e]/g, '')}` },
      });
      // 431 for a header beyond Node's 16 KB limit: refused before any handler runs.
      return status === 401 || status === 431;
    }),
    { numRuns: RUNS, seed: SEED },
  );
  const huge = await send('huge', `${stack.gatewayUrl}/v1/conversations/${known.conversationId}/replies`, {
    method: 'POST',
    headers: { authorization: `Bearer ${dashboard.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'x'.repeat(3_000_000) }),
  });
  expect(huge).toBe(413);
});

it('answers Twilio webhooks 4xx for random signed and unsigned forms, storing nothing refused', async () => {
  const before = await receipts();
  const params = fc.dictionary(
    fc.oneof(
      fc.constantFrom(
        'MessageSid',
        'AccountSid',
        'From',
        'To',
        'Body',
        'NumMedia',
        'MediaUrl0',
        'MediaContentType0',
        'MessageStatus',
        'ErrorCode',
        'SmsSid',
      ),
      fc.string({ maxLength: 12 }),
    ),
    text,
    { maxKeys: 8 },
  );
  let accepted = 0;
  for (const path of ['/webhooks/twilio/messages', '/webhooks/twilio/status']) {
    await fc.assert(
      fc.asyncProperty(params, fc.boolean(), contentType, async (form, signed, type) => {
        const clean = Object.fromEntries(Object.entries(form).map(([k, v]) => [k, v.replace(/\u0000/g, '')]));
        const signature = signed
          ? twilioSignature(stack.env.TWILIO_AUTH_TOKEN!, `${stack.env.PUBLIC_BASE_URL}${path}`, clean)
          : 'Zm9yZ2Vk';
        const status = await send(path, `${stack.ingestionUrl}${path}`, {
          method: 'POST',
          headers: {
            'x-twilio-signature': signature,
            'content-type': signed ? 'application/x-www-form-urlencoded' : type || 'text/plain',
          },
          body: new URLSearchParams(clean).toString(),
        });
        if (status === 200) accepted++;
        // Unsigned: refused (403, or 400/413/415 when the body cannot even be read), never taken.
        return signed ? status < 500 : status >= 400 && status < 500;
      }),
      { numRuns: RUNS * 2, seed: SEED },
    );
  }
  expect((await receipts()) - before).toBeLessThanOrEqual(accepted);
}, 300_000);

it('answers Shopify webhooks 4xx for random bodies, topics and domains, storing nothing refused', async () => {
  const before = await receipts();
  let accepted = 0;
  const topic = fc.oneof(
    fc.constantFrom(
      'customers/create',
      'customers/update',
      'customers_marketing_consent/update',
      'customers/redact',
      'shop/redact',
      'customers/data_request',
    ),
    text,
  );
  const domain = fc.oneof(fc.constant(SHOP), fc.constant('other.myshopify.com'), text);
  await fc.assert(
    fc.asyncProperty(body, topic, domain, contentType, fc.boolean(), async (raw, t, d, type, signed) => {
      const hmac = signed
        ? createHmac('sha256', stack.env.SHOPIFY_API_SECRET!).update(raw, 'utf8').digest('base64')
        : 'Zm9yZ2Vk';
      const status = await send('shopify', `${stack.ingestionUrl}/webhooks/shopify`, {
        method: 'POST',
        headers: {
          'content-type': type || 'application/json',
          'x-shopify-hmac-sha256': hmac,
          'x-shopify-topic': t.replace(/[^\x20-\x7e]/g, ''),
          'x-shopify-shop-domain': d.replace(/[^\x20-\x7e]/g, ''),
          'x-shopify-webhook-id': `fuzz-${Math.random()}`,
        },
        body: raw,
      });
      if (status === 200) accepted++;
      // 431 for a topic or domain header beyond Node's 16 KB limit: refused before any handler runs.
      return signed ? status < 500 : status === 401 || status === 431;
    }),
    { numRuns: RUNS * 3, seed: SEED },
  );
  expect((await receipts()) - before).toBeLessThanOrEqual(accepted);
}, 300_000);

it('leaves every service up and ready, with no 5xx anywhere', async () => {
  for (const s of SERVICES) {
    expect({ s, running: stack.services.get(s)!.running }).toEqual({ s, running: true });
    expect({ s, status: (await fetch(`http://127.0.0.1:${stack.opsPort(s)}/readyz`)).status }).toEqual({
      s,
      status: 200,
    });
  }
  expect(outcomes.filter((o) => o.status >= 500)).toEqual([]);
  expect(outcomes.length).toBeGreaterThan(500);
});
