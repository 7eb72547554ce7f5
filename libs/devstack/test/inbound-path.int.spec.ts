// The first real path, end to end over real HTTP, NATS and FerretDB with every service running
// as its own process: a signed Twilio webhook becomes a conversation a dashboard can list.
import { SignJWT } from 'jose';
import {
  DashboardClient,
  eventually,
  type JsonBody,
  newMessageSid,
  type Stack,
  sessionToken,
  startStack,
  TwilioWebhookSender,
  tempDir,
} from '../src/index.js';

const SHOP_A = 'acme.myshopify.com';
const SHOP_B = 'globex.myshopify.com';
const NUMBER_A = '+14155550100';
const NUMBER_B = '+14155550200';

let stack: Stack;
let twilio: TwilioWebhookSender;
let shopA: DashboardClient;
let shopB: DashboardClient;

async function subscribe(to: string, from: string, keyword = 'JOIN') {
  expect((await twilio.send({ from, to, body: keyword })).status).toBe(200);
}

async function conversationOf(client: DashboardClient, phone: string) {
  const items = await client.all('/v1/conversations?limit=100');
  return items.find((c) => c.subscriber?.phone === phone);
}

async function messagesOf(client: DashboardClient, conversationId: string) {
  return client.all(`/v1/conversations/${conversationId}/messages?limit=100`);
}

beforeAll(async () => {
  stack = await startStack({ dir: tempDir('e2e-inbound'), logLevel: 'warn' });
  twilio = new TwilioWebhookSender(stack);
  shopA = await DashboardClient.forShop(stack, SHOP_A);
  shopB = await DashboardClient.forShop(stack, SHOP_B);
  expect(
    (
      await shopA.request('PUT', '/v1/shop', {
        phoneNumber: NUMBER_A,
        keywords: ['JOIN'],
        timezone: 'America/New_York',
      })
    ).status,
  ).toBe(200);
  expect(
    (
      await shopB.request('PUT', '/v1/shop', {
        phoneNumber: NUMBER_B,
        keywords: ['JOIN'],
        timezone: 'America/Chicago',
      })
    ).status,
  ).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

describe('inbound SMS → inbox', () => {
  it('shows a subscriber text as an unresolved conversation with its message', async () => {
    const phone = '+14155550111';
    await subscribe(NUMBER_A, phone);
    const res = await twilio.send({ from: phone, to: NUMBER_A, body: 'Where is my order?' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(await res.text()).toMatch(/<Response\/>$/);

    const conversation = await eventually(() => conversationOf(shopA, phone), 20_000, 'the conversation');
    expect(conversation).toMatchObject({
      status: 'unresolved',
      lastMessage: { direction: 'inbound', text: 'Where is my order?', status: 'received' },
      subscriber: { phone, source: 'keyword', status: 'active', firstName: null },
    });
    expect(new Date(conversation.lastActivityAt).toISOString()).toBe(conversation.lastActivityAt);
    const messages = await messagesOf(shopA, conversation.id);
    // The keyword opt-in opens no conversation and is not part of it.
    expect(messages.map((m) => m.text)).toEqual(['Where is my order?']);
  });

  it('counts unresolved conversations for the red dot', async () => {
    const before = (await shopA.get('/v1/inbox/summary')).body.unresolved;
    const phone = '+14155550112';
    await subscribe(NUMBER_A, phone);
    await twilio.send({ from: phone, to: NUMBER_A, body: 'hello' });
    await eventually(async () =>
      (await shopA.get('/v1/inbox/summary')).body.unresolved === before + 1 ? true : undefined,
    );
  });

  it('opens no conversation for an unknown number that is not opting in', async () => {
    const phone = '+14155550113';
    expect((await twilio.send({ from: phone, to: NUMBER_A, body: 'who is this?' })).status).toBe(200);
    // A later subscriber's text proves the earlier one was processed (same consumer, in order of arrival).
    const marker = '+14155550114';
    await subscribe(NUMBER_A, marker);
    await twilio.send({ from: marker, to: NUMBER_A, body: 'marker' });
    await eventually(() => conversationOf(shopA, marker));
    expect(await conversationOf(shopA, phone)).toBeUndefined();
  });

  it('keeps one message when Twilio delivers the same MessageSid three times', async () => {
    const phone = '+14155550115';
    await subscribe(NUMBER_A, phone);
    const sid = newMessageSid();
    for (let i = 0; i < 3; i++) {
      expect((await twilio.send({ sid, from: phone, to: NUMBER_A, body: 'only once' })).status).toBe(200);
    }
    const conversation = await eventually(() => conversationOf(shopA, phone));
    await twilio.send({ from: phone, to: NUMBER_A, body: 'after' });
    const messages = await eventually(async () => {
      const list = await messagesOf(shopA, conversation.id);
      return list.some((m) => m.text === 'after') ? list : undefined;
    });
    expect(messages.map((m) => m.text)).toEqual(['only once', 'after']);
  });

  it('rejects a forged or missing signature with 403 and changes nothing', async () => {
    const phone = '+14155550116';
    await subscribe(NUMBER_A, phone);
    await eventually(async () => {
      await twilio.send({ from: phone, to: NUMBER_A, body: 'real' });
      return (await conversationOf(shopA, phone)) ? true : undefined;
    });
    const conversation = await conversationOf(shopA, phone);
    const forged = await twilio.send(
      { from: phone, to: NUMBER_A, body: 'forged' },
      { signature: 'bm90IGEgc2lnbmF0dXJl' },
    );
    const missing = await twilio.send({ from: phone, to: NUMBER_A, body: 'unsigned' }, { signature: null });
    const otherKey = await new TwilioWebhookSender(stack, 'another-auth-token').send({
      from: phone,
      to: NUMBER_A,
      body: 'other key',
    });
    for (const res of [forged, missing, otherKey]) {
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'invalid_signature' } });
    }
    await twilio.send({ from: phone, to: NUMBER_A, body: 'after' });
    const messages = await eventually(async () => {
      const list = await messagesOf(shopA, conversation.id);
      return list.some((m) => m.text === 'after') ? list : undefined;
    });
    expect(messages.map((m) => m.text)).not.toEqual(expect.arrayContaining(['forged']));
    expect(
      messages.map((m) => m.text).filter((t) => ['forged', 'unsigned', 'other key'].includes(t)),
    ).toEqual([]);
  });

  it('answers 404 for a To number no shop sends from', async () => {
    const res = await twilio.send({ from: '+14155550117', to: '+14155559999', body: 'hi' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'unknown_number' } });
  });

  it('answers 400 with a code for a webhook without the fields Twilio always sends', async () => {
    const res = await twilio.send({ from: 'not-a-number', to: NUMBER_A, body: 'x' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_from' } });
  });
});

describe('tenancy', () => {
  it("never shows shop A's conversations to shop B, and the other way round", async () => {
    const phoneA = '+14155550121';
    const phoneB = '+14155550122';
    await subscribe(NUMBER_A, phoneA);
    await subscribe(NUMBER_B, phoneB);
    await twilio.send({ from: phoneA, to: NUMBER_A, body: 'for A' });
    await twilio.send({ from: phoneB, to: NUMBER_B, body: 'for B' });
    const a = await eventually(() => conversationOf(shopA, phoneA));
    const b = await eventually(() => conversationOf(shopB, phoneB));
    const listA = await shopA.all('/v1/conversations?limit=100');
    const listB = await shopB.all('/v1/conversations?limit=100');
    expect(listA.map((c) => c.id)).not.toContain(b.id);
    expect(listB.map((c) => c.id)).toEqual([b.id]);
    expect((await shopB.get(`/v1/conversations/${a.id}`)).status).toBe(404);
    expect((await shopB.get(`/v1/conversations/${a.id}/messages`)).status).toBe(404);
    expect((await shopB.get('/v1/inbox/summary')).body).toEqual({ unresolved: 1 });
  });

  it('refuses a sending number that another shop already uses', async () => {
    const res = await shopB.request('PUT', '/v1/shop', { phoneNumber: NUMBER_A });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: 'phone_number_taken' } });
  });
});

describe('session tokens', () => {
  const call = (authorization?: string) =>
    fetch(`${stack.gatewayUrl}/v1/conversations`, { headers: authorization ? { authorization } : {} });
  const secret = () => stack.env.SHOPIFY_API_SECRET!;
  const apiKey = () => stack.env.SHOPIFY_API_KEY!;

  it.each([
    ['no token', async () => undefined],
    ['a malformed header', async () => 'Token abc'],
    [
      'an expired token',
      async () =>
        `Bearer ${await sessionToken({ shop: SHOP_A, apiKey: apiKey(), secret: secret(), expiresIn: -120 })}`,
    ],
    [
      'a wrong aud',
      async () => `Bearer ${await sessionToken({ shop: SHOP_A, apiKey: 'another-app', secret: secret() })}`,
    ],
    [
      'a wrong secret',
      async () =>
        `Bearer ${await sessionToken({ shop: SHOP_A, apiKey: apiKey(), secret: 'not-the-secret' })}`,
    ],
    [
      'alg none',
      async () => {
        const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const now = Math.floor(Date.now() / 1000);
        return `Bearer ${enc({ alg: 'none', typ: 'JWT' })}.${enc({ aud: apiKey(), dest: `https://${SHOP_A}`, iss: `https://${SHOP_A}/admin`, exp: now + 60 })}.`;
      },
    ],
    [
      'a dest that is not the issuer shop',
      async () =>
        `Bearer ${await new SignJWT({ dest: `https://${SHOP_B}` })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer(`https://${SHOP_A}/admin`)
          .setAudience(apiKey())
          .setExpirationTime('1m')
          .sign(new TextEncoder().encode(secret()))}`,
    ],
  ])('answers 401 for %s', async (_name, header) => {
    const res = await call(await header());
    expect(res.status).toBe(401);
    const body = (await res.json()) as JsonBody;
    expect(body.error.code).toMatch(/^[a-z_]+$/);
    expect(typeof body.error.message).toBe('string');
  });

  it('accepts a valid token', async () => {
    expect((await call(`Bearer ${shopA.token}`)).status).toBe(200);
  });
});

describe('bad input to the gateway', () => {
  it.each([
    ['/v1/conversations?status=open', 'invalid_request'],
    ['/v1/conversations?limit=0', 'invalid_request'],
    ['/v1/conversations?limit=abc', 'invalid_request'],
    ['/v1/conversations?cursor=%%%', 'invalid_cursor'],
  ])('GET %s → 400 %s', async (path, code) => {
    const res = await shopA.get(path);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
  });

  it('answers 400 for a malformed JSON body', async () => {
    const res = await fetch(`${stack.gatewayUrl}/v1/shop`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${shopA.token}`, 'content-type': 'application/json' },
      body: '{"phoneNumber": ',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as JsonBody).error.code).toBe('malformed_body');
  });

  it('answers 400 for invalid shop settings', async () => {
    for (const body of [
      { phoneNumber: '4155550100' },
      { timezone: 'Mars/Olympus' },
      { quietHours: { start: '25:00', end: '08:00' } },
    ]) {
      const res = await shopA.request('PUT', '/v1/shop', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toMatch(/^(invalid_request|invalid_phone_number|invalid_timezone)$/);
    }
  });
});
