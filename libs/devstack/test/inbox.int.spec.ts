// The inbox API end to end: status transitions and filters, search, stable paging while texts
// arrive, the unresolved summary, live updates over SSE, tenancy on every endpoint, token and
// input checks, and a backing service that is down.
import {
  DashboardClient,
  eventually,
  type JsonBody,
  ShopifyWebhookSender,
  type Stack,
  sessionToken,
  startStack,
  TwilioWebhookSender,
  tempDir,
} from '../src/index.js';

const SHOP_A = 'inbox-a.myshopify.com';
const SHOP_B = 'inbox-b.myshopify.com';
const NUMBER_A = '+14155550500';
const NUMBER_B = '+14155550600';
const ORIGIN = 'https://dashboard.example.com';

let stack: Stack;
let twilio: TwilioWebhookSender;
let a: DashboardClient;
let b: DashboardClient;

const phone = (n: number) => `+1415555${String(n).padStart(4, '0')}`;

async function conversationFor(
  client: DashboardClient,
  to: string,
  from: string,
  body: string,
): Promise<JsonBody> {
  await twilio.send({ from, to, body: 'JOIN' });
  await twilio.send({ from, to, body });
  return eventually(async () => {
    const items = await client.all(`/v1/conversations?q=${encodeURIComponent(from)}`);
    return items.find((c) => c.subscriber?.phone === from && c.lastMessage?.text === body);
  });
}

/** Reads Server-Sent Events from the gateway until `stop` is called. */
function openEvents(token: string, lastEventId?: string) {
  const events: Array<{ id?: string; event: string; data: JsonBody; at: number }> = [];
  const controller = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (lastEventId) headers['last-event-id'] = lastEventId;
  const done = (async () => {
    const res = await fetch(`${stack.gatewayUrl}/v1/events`, { headers, signal: controller.signal });
    if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(
          block
            .split('\n')
            .filter((l) => l && !l.startsWith(':'))
            .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trimStart()]),
        );
        if (fields.event)
          events.push({
            id: fields.id,
            event: fields.event,
            data: JSON.parse(fields.data ?? 'null'),
            at: Date.now(),
          });
        end = buffer.indexOf('\n\n');
      }
    }
  })().catch((err) => {
    if ((err as Error).name !== 'AbortError') throw err;
  });
  return {
    events,
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

beforeAll(async () => {
  stack = await startStack({
    dir: tempDir('e2e-inbox'),
    logLevel: 'warn',
    env: { DASHBOARD_ORIGINS: ORIGIN, SSE_HEARTBEAT_MS: '1000' },
  });
  twilio = new TwilioWebhookSender(stack);
  a = await DashboardClient.forShop(stack, SHOP_A, 'staff-a');
  b = await DashboardClient.forShop(stack, SHOP_B, 'staff-b');
  expect((await a.request('PUT', '/v1/shop', { phoneNumber: NUMBER_A, keywords: ['JOIN'] })).status).toBe(
    200,
  );
  expect((await b.request('PUT', '/v1/shop', { phoneNumber: NUMBER_B, keywords: ['JOIN'] })).status).toBe(
    200,
  );
});

afterAll(async () => {
  await stack?.stop();
});

describe('statuses', () => {
  it('moves unresolved → resolved by hand → unresolved by hand → unresolved on a new text, keeping who did it', async () => {
    const c = await conversationFor(a, NUMBER_A, phone(5001), 'status please');
    expect(c.status).toBe('unresolved');
    const resolved = await a.request('POST', `/v1/conversations/${c.id}/resolve`);
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ id: c.id, status: 'resolved', subscriber: { phone: phone(5001) } });
    expect((await a.get(`/v1/conversations/${c.id}`)).body.status).toBe('resolved');
    // Resolving again changes nothing and is not an error.
    expect((await a.request('POST', `/v1/conversations/${c.id}/resolve`)).body.status).toBe('resolved');
    expect((await a.request('POST', `/v1/conversations/${c.id}/unresolve`)).body.status).toBe('unresolved');
    await a.request('POST', `/v1/conversations/${c.id}/resolve`);
    await twilio.send({ from: phone(5001), to: NUMBER_A, body: 'one more thing' });
    await eventually(async () =>
      (await a.get(`/v1/conversations/${c.id}`)).body.status === 'unresolved' ? true : undefined,
    );
    const messages = await a.all(`/v1/conversations/${c.id}/messages`);
    expect(messages.map((m) => m.text)).toEqual(['status please', 'one more thing']);
    const history = await a.get(`/v1/conversations/${c.id}/status-history`);
    expect(history.body.items.map((h: JsonBody) => [h.from, h.to, h.reason, h.actor])).toEqual([
      ['resolved', 'unresolved', 'subscriber_wrote', 'subscriber'],
      ['unresolved', 'resolved', 'merchant_resolved', 'user:staff-a'],
      ['resolved', 'unresolved', 'merchant_unresolved', 'user:staff-a'],
      ['unresolved', 'resolved', 'merchant_resolved', 'user:staff-a'],
    ]);
  });

  it('refuses to resolve or unresolve an opted-out conversation', async () => {
    const c = await conversationFor(a, NUMBER_A, phone(5002), 'bye soon');
    await twilio.send({ from: phone(5002), to: NUMBER_A, body: 'STOP' });
    await eventually(async () =>
      (await a.get(`/v1/conversations/${c.id}`)).body.status === 'opted_out' ? true : undefined,
    );
    for (const action of ['resolve', 'unresolve']) {
      const res = await a.request('POST', `/v1/conversations/${c.id}/${action}`);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('subscriber_opted_out');
    }
  });

  it('filters by status, and the summary equals the unresolved count after a mixed sequence', async () => {
    const made: JsonBody[] = [];
    for (let i = 0; i < 4; i++) made.push(await conversationFor(a, NUMBER_A, phone(5010 + i), `mixed ${i}`));
    await a.request('POST', `/v1/conversations/${made[0].id}/resolve`);
    await a.request('POST', `/v1/conversations/${made[1].id}/resolve`);
    await a.request('POST', `/v1/conversations/${made[1].id}/unresolve`);
    await twilio.send({ from: phone(5012), to: NUMBER_A, body: 'STOP' });
    await eventually(async () =>
      (await a.get(`/v1/conversations/${made[2].id}`)).body.status === 'opted_out' ? true : undefined,
    );
    const all = await a.all('/v1/conversations?limit=100');
    const byStatus = (s: string) =>
      all
        .filter((c) => c.status === s)
        .map((c) => c.id)
        .sort();
    for (const status of ['unresolved', 'resolved', 'opted_out']) {
      const filtered = await a.all(`/v1/conversations?status=${status}&limit=7`);
      expect(filtered.map((c) => c.id).sort()).toEqual(byStatus(status));
    }
    expect((await a.get('/v1/inbox/summary')).body).toEqual({ unresolved: byStatus('unresolved').length });
    expect(byStatus('resolved')).toContain(made[0].id);
    expect(byStatus('unresolved')).toEqual(expect.arrayContaining([made[1].id, made[3].id]));
  });
});

describe('search', () => {
  it('finds a subscriber by phone in any format and by name', async () => {
    const c = await conversationFor(a, NUMBER_A, '+14155550101', 'find me');
    const ids = async (q: string) =>
      (await a.all(`/v1/conversations?q=${encodeURIComponent(q)}`)).map((x) => x.id);
    expect(await ids('+1 (415) 555-0101')).toEqual([c.id]);
    expect(await ids('4155550101')).toEqual([c.id]);
    expect(await ids('555-0101')).toContain(c.id);
    expect(await ids('9999999')).toEqual([]);
    // Names come with checkout; keyword subscribers have none, so a name finds nobody here.
    expect(await ids('Ada')).not.toContain(c.id);
    expect((await b.all(`/v1/conversations?q=${encodeURIComponent('4155550101')}`)).length).toBe(0);
  });
});

describe('the subscriber on each list item', () => {
  it("is the subscriber service's own view, quiet hours included, and follows new shop quiet hours at once", async () => {
    const c = await conversationFor(a, NUMBER_A, '+14155550102', 'who am i');
    const listed = async () =>
      (await a.all(`/v1/conversations?q=${encodeURIComponent('+14155550102')}`)).find((x) => x.id === c.id)!;
    const direct = async () => (await a.get(`/v1/subscribers/${c.subscriber.id}`)).body;
    const same = async () => {
      const [item, subscriber] = [await listed(), await direct()];
      expect(item.subscriber).toEqual(subscriber);
      expect(item.quietHours).toEqual(subscriber.quietHours);
      return item;
    };
    await same();
    // Quiet the whole day (but one minute) in the shop's settings: the next list shows it.
    expect(
      (await a.request('PUT', '/v1/shop', { quietHours: { start: '00:00', end: '23:59' } })).status,
    ).toBe(200);
    try {
      const item = await same();
      // With the legal window the union is the whole day: quiet, with no end in sight.
      expect(item.subscriber.quietHours).toMatchObject({ active: true, endsAt: null });
    } finally {
      expect((await a.request('PUT', '/v1/shop', { quietHours: null })).status).toBe(200);
    }
    expect((await same()).subscriber.quietHours.rule).not.toBe('shop');
  });

  it('follows a change of quiet hours made while the conversation service was down, once it is back', async () => {
    const c = await conversationFor(a, NUMBER_A, '+14155550104', 'quiet later');
    const wholeDay = async () => {
      const q = (await a.all(`/v1/conversations?q=${encodeURIComponent('+14155550104')}`)).find(
        (x) => x.id === c.id,
      )!.subscriber.quietHours;
      return q.active && q.endsAt === null;
    };
    expect(await wholeDay()).toBe(false);
    await stack.services.get('conversation')!.stop();
    try {
      // The settings are stored, but the inbox could not take them: the answer says so.
      const put = await a.request('PUT', '/v1/shop', { quietHours: { start: '00:00', end: '23:59' } });
      expect(put.status).toBeGreaterThanOrEqual(500);
      expect((await a.get('/v1/shop')).body.quietHours).toEqual({ start: '00:00', end: '23:59' });
    } finally {
      await stack.startService('conversation');
    }
    try {
      // subscriber.shop_changed.v1 brings the change the gateway could not hand over.
      await eventually(async () => ((await wholeDay()) ? true : undefined), 30_000, 'the whole-day window');
    } finally {
      expect((await a.request('PUT', '/v1/shop', { quietHours: null })).status).toBe(200);
    }
    expect(await wholeDay()).toBe(false);
  });

  it('takes a checkout profile that arrives later, and finds it by name in any case', async () => {
    const shopify = new ShopifyWebhookSender(stack);
    const from = '+14155550103';
    const c = await conversationFor(a, NUMBER_A, from, 'profile later');
    const profile = {
      id: 9103,
      first_name: 'Grace',
      last_name: 'Hopper',
      phone: from,
      default_address: { country_code: 'US', province_code: 'FL', zip: '33101' },
    };
    expect((await shopify.send('customers/create', SHOP_A, profile)).status).toBe(200);
    const item = await eventually(async () => {
      const found = (await a.all(`/v1/conversations?q=${encodeURIComponent('gRACE hOPPER')}`)).find(
        (x) => x.id === c.id,
      );
      return found?.subscriber.firstName === 'Grace' ? found : undefined;
    });
    expect(item.subscriber).toEqual((await a.get(`/v1/subscribers/${c.subscriber.id}`)).body);
    const ids = async (q: string) =>
      (await a.all(`/v1/conversations?q=${encodeURIComponent(q)}`)).map((x) => x.id);
    expect(await ids('hopper')).toContain(c.id);
    expect(await ids('ace hop')).toContain(c.id);
    expect(await ids('Gr Ho')).toContain(c.id);
    expect(await ids('Ho Gr')).not.toContain(c.id);
  });
});

describe('live updates', () => {
  it("sends shop A's change and new count within a second, and nothing of shop B", async () => {
    const streamA = openEvents(a.token);
    const streamB = openEvents(b.token);
    await eventually(async () => (streamA.events.length && streamB.events.length ? true : undefined));
    expect(streamA.events[0]).toMatchObject({ event: 'ready', data: { unresolved: expect.any(Number) } });
    const from = phone(5100);
    await twilio.send({ from, to: NUMBER_A, body: 'JOIN' });
    await new Promise((r) => setTimeout(r, 300));
    const sentAt = Date.now();
    await twilio.send({ from, to: NUMBER_A, body: 'live!' });
    const change = await eventually(async () =>
      streamA.events.find(
        (e) => e.event === 'conversation.changed' && e.data.conversation.lastMessage?.text === 'live!',
      ),
    );
    expect(change.at - sentAt).toBeLessThan(1_000);
    expect(change.id).toMatch(/^\d+$/);
    expect(change.data.unresolved).toBe((await a.get('/v1/inbox/summary')).body.unresolved);
    expect(change.data.conversation.subscriber.phone).toBe(from);
    await new Promise((r) => setTimeout(r, 300));
    expect(streamB.events.filter((e) => e.event === 'conversation.changed')).toEqual([]);
    await streamA.stop();
    await streamB.stop();
  });

  it('resumes after a reconnect with Last-Event-ID without losing the changes in between', async () => {
    const first = openEvents(a.token);
    const from = phone(5101);
    await conversationFor(a, NUMBER_A, from, 'before');
    const last = await eventually(async () =>
      first.events.find(
        (e) => e.event === 'conversation.changed' && e.data.conversation.lastMessage?.text === 'before',
      ),
    );
    await first.stop();
    await twilio.send({ from, to: NUMBER_A, body: 'while away' });
    await eventually(async () =>
      (await a.all(`/v1/conversations?q=${encodeURIComponent(from)}`))[0]?.lastMessage?.text === 'while away'
        ? true
        : undefined,
    );
    const second = openEvents(a.token, last.id);
    const missed = await eventually(async () =>
      second.events.find(
        (e) => e.event === 'conversation.changed' && e.data.conversation.lastMessage?.text === 'while away',
      ),
    );
    expect(Number(missed.id)).toBeGreaterThan(Number(last.id));
    await second.stop();
  });

  it("announces each move of a reply's status (queued, sent, delivered), not only the conversation's changes", async () => {
    const c = await conversationFor(a, NUMBER_A, phone(5102), 'status?');
    const stream = openEvents(a.token);
    await eventually(async () => (stream.events.length ? true : undefined));
    const res = await a.request(
      'POST',
      `/v1/conversations/${c.id}/replies`,
      { text: 'watch me move', send: 'now' },
      { 'idempotency-key': `live-status-${c.id}` },
    );
    expect(res.status).toBe(202);
    const seen = () =>
      stream.events
        .filter(
          (e) => e.event === 'conversation.changed' && e.data.conversation.lastMessage?.id === res.body.id,
        )
        .map((e) => e.data.conversation.lastMessage.status);
    await eventually(
      async () => (seen().includes('delivered') ? true : undefined),
      20_000,
      'delivered, live',
    );
    // Each once, in rank order (a `sent` callback that arrives after `delivered` moves nothing).
    expect(seen()).toEqual(
      seen().includes('sent') ? ['queued', 'sent', 'delivered'] : ['queued', 'delivered'],
    );
    await stream.stop();
  });

  it('accepts the token as access_token for EventSource, and refuses a bad Last-Event-ID', async () => {
    const res = await fetch(`${stack.gatewayUrl}/v1/events?access_token=${a.token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await res.body?.cancel();
    const bad = await fetch(`${stack.gatewayUrl}/v1/events`, {
      headers: { authorization: `Bearer ${a.token}`, 'last-event-id': 'abc' },
    });
    expect(bad.status).toBe(400);
  });
});

describe('tenancy and tokens', () => {
  it("answers 404 on every endpoint for a token of shop A with shop B's ids", async () => {
    const c = await conversationFor(b, NUMBER_B, phone(5200), 'for B only');
    const subscriberId = c.subscriber.id;
    const attempts = [
      ['GET', `/v1/conversations/${c.id}`],
      ['GET', `/v1/conversations/${c.id}/messages`],
      ['GET', `/v1/conversations/${c.id}/status-history`],
      ['POST', `/v1/conversations/${c.id}/resolve`],
      ['POST', `/v1/conversations/${c.id}/unresolve`],
      ['POST', `/v1/conversations/${c.id}/replies`],
      ['GET', `/v1/subscribers/${subscriberId}`],
      ['POST', `/v1/subscribers/${subscriberId}/opt-out`],
      ['GET', `/v1/subscribers/${subscriberId}/consent-history`],
      ['GET', `/v1/subscribers/${subscriberId}/export`],
    ] as const;
    for (const [method, path] of attempts) {
      const res = await a.request(method, path);
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
    }
    expect((await b.get(`/v1/conversations/${c.id}`)).body.status).toBe('unresolved');
    expect((await b.get(`/v1/subscribers/${subscriberId}`)).body.status).toBe('active');
  });

  it('answers 401 for a token that is not yet valid or malformed', async () => {
    const now = Math.floor(Date.now() / 1000);
    const { SignJWT } = await import('jose');
    const future = await new SignJWT({ dest: `https://${SHOP_A}` })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(`https://${SHOP_A}/admin`)
      .setAudience(stack.env.SHOPIFY_API_KEY!)
      .setNotBefore(now + 300)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode(stack.env.SHOPIFY_API_SECRET!));
    for (const header of [
      `Bearer ${future}`,
      'Bearer not.a.jwt',
      'Bearer ',
      `Bearer ${(await sessionToken({ shop: SHOP_A, apiKey: stack.env.SHOPIFY_API_KEY!, secret: stack.env.SHOPIFY_API_SECRET! })).slice(0, -3)}xyz`,
    ]) {
      const res = await fetch(`${stack.gatewayUrl}/v1/inbox/summary`, { headers: { authorization: header } });
      expect(res.status).toBe(401);
    }
  });
});

describe('edge protections', () => {
  it('answers 400 with a code for bad query values, and 413 for an oversized body', async () => {
    for (const path of [
      '/v1/conversations?limit=-1',
      '/v1/conversations?limit=1000',
      '/v1/conversations?status=all',
      '/v1/conversations?cursor=zzz',
      '/v1/conversations/x/messages?limit=0',
    ]) {
      const res = await a.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body.error.code).toMatch(/^[a-z_]+$/);
    }
    const big = await a.request('PUT', '/v1/shop', { texts: { help: 'x'.repeat(100_000) } });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    expect(big.headers.get('connection')).toBe('close');
  });

  it('sets security headers and allows CORS for the configured dashboard origin only', async () => {
    const ok = await fetch(`${stack.gatewayUrl}/v1/conversations`, {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const other = await fetch(`${stack.gatewayUrl}/v1/conversations`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'GET' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const res = await fetch(`${stack.gatewayUrl}/v1/inbox/summary`, {
      headers: { authorization: `Bearer ${a.token}`, origin: ORIGIN },
    });
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

describe('paging', () => {
  it('pages through 250 conversations while new texts keep arriving, each exactly once', async () => {
    const shop = 'paging.myshopify.com';
    const number = '+14155550700';
    const client = await DashboardClient.forShop(stack, shop);
    expect(
      (await client.request('PUT', '/v1/shop', { phoneNumber: number, keywords: ['JOIN'] })).status,
    ).toBe(200);
    const phones = Array.from({ length: 250 }, (_, i) => phone(6000 + i));
    let next = 0;
    const send = async (body: (p: string) => string) => {
      next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < phones.length) {
            const p = phones[next++]!;
            expect((await twilio.send({ from: p, to: number, body: body(p) })).status).toBe(200);
          }
        }),
      );
    };
    await send(() => 'JOIN');
    await send((p) => `hello from ${p}`);
    await eventually(
      async () => ((await client.get('/v1/inbox/summary')).body.unresolved === 250 ? true : undefined),
      60_000,
      '250 conversations',
    );

    let stop = false;
    let sent = 0;
    let lastPhone = '';
    const traffic = (async () => {
      while (!stop) {
        lastPhone = phones[Math.floor(Math.random() * phones.length)]!;
        await twilio.send({ from: lastPhone, to: number, body: `more ${sent++}` });
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: JsonBody } = await client.get(
        `/v1/conversations?limit=20${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((c: JsonBody) => c.id));
      cursor = res.body.nextCursor;
      await new Promise((r) => setTimeout(r, 150));
    } while (cursor);
    stop = true;
    await traffic;
    // Let the last text land before the next tests measure latency.
    await eventually(async () => {
      const [c] = await client.all(`/v1/conversations?q=${encodeURIComponent(lastPhone)}`);
      return c?.lastMessage?.text === `more ${sent - 1}` ? true : undefined;
    }, 60_000);
    expect(sent).toBeGreaterThan(10);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(250);
  });
});

describe('a backing service that is down', () => {
  it('answers 503 quickly instead of hanging, and recovers when the service is back', async () => {
    await stack.services.get('conversation')!.kill();
    const started = Date.now();
    const res = await a.get('/v1/inbox/summary');
    expect([503, 504]).toContain(res.status);
    expect(res.body.error.code).toMatch(/^upstream_(unavailable|timeout)$/);
    expect(Date.now() - started).toBeLessThan(3_000);
    await stack.startService('conversation');
    await eventually(
      async () => ((await a.get('/v1/inbox/summary')).status === 200 ? true : undefined),
      20_000,
    );
  });
});
