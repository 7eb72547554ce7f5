// Subscribers and consent end to end: keyword and checkout opt-in, STOP/START/HELP, manual
// opt-out, the consent audit trail, privacy webhooks, and bad Shopify input. Real signed
// webhooks in, the gateway and (where the API cannot show it) the bus and databases checked.
import { Events } from '@sms-inbox/contracts';
import {
  autoReplyRequests,
  countDocuments,
  DashboardClient,
  eventsOn,
  eventually,
  findEverywhere,
  type JsonBody,
  newMessageSid,
  publishAgain,
  ShopifyWebhookSender,
  type Stack,
  startStack,
  TwilioWebhookSender,
  tempDir,
} from '../src/index.js';

const SHOP = 'consent.myshopify.com';
const NUMBER = '+14155550400';

let stack: Stack;
let twilio: TwilioWebhookSender;
let shopify: ShopifyWebhookSender;
let dashboard: DashboardClient;

const phone = (n: number) => `+1415555${String(4000 + n)}`;

async function requestsFor(to: string) {
  return (await autoReplyRequests(stack.env.NATS_URL!)).filter((r) => r.to === to);
}

/** Sends a text and waits until the subscriber service has handled it (marker: a later HELP's request). */
async function text(from: string, body: string) {
  expect((await twilio.send({ from, to: NUMBER, body })).status).toBe(200);
}

async function conversationOf(from: string) {
  const items = await dashboard.all('/v1/conversations?limit=100');
  return items.find((c) => c.subscriber?.phone === from);
}

async function waitConversation(from: string, predicate: (c: JsonBody) => boolean = () => true) {
  return eventually(
    async () => {
      const c = await conversationOf(from);
      return c && predicate(c) ? c : undefined;
    },
    20_000,
    `conversation of ${from}`,
  );
}

async function optInByKeyword(from: string): Promise<string> {
  await text(from, 'JOIN');
  const [request] = await eventually(async () => {
    const list = await requestsFor(from);
    return list.length ? list : undefined;
  });
  expect(request!.kind).toBe('opt_in_confirmation');
  return request!.subscriberId;
}

const customer = (id: number, phoneNumber: string | null, extra: Record<string, unknown> = {}) => ({
  id,
  email: `c${id}@example.com`,
  first_name: 'Ada',
  last_name: 'Lovelace',
  phone: phoneNumber,
  default_address: { country_code: 'US', province_code: 'NY', zip: '10001' },
  ...extra,
});

const consent = (id: number, phoneNumber: string, state: string, at = new Date().toISOString()) => ({
  id,
  phone: phoneNumber,
  sms_marketing_consent: {
    state,
    opt_in_level: 'single_opt_in',
    consent_updated_at: at,
    consent_collected_from: 'SHOPIFY',
  },
});

beforeAll(async () => {
  stack = await startStack({ dir: tempDir('e2e-consent'), logLevel: 'warn' });
  twilio = new TwilioWebhookSender(stack);
  shopify = new ShopifyWebhookSender(stack);
  dashboard = await DashboardClient.forShop(stack, SHOP, 'staff-7');
  const put = await dashboard.request('PUT', '/v1/shop', {
    phoneNumber: NUMBER,
    keywords: ['JOIN', 'VIP'],
    timezone: 'America/Chicago',
    texts: { help: 'Consent Co: reply STOP to opt out.' },
  });
  expect(put.status).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

describe('shop settings', () => {
  it('reads back what was written, with defaults for texts not given', async () => {
    const res = await dashboard.get('/v1/shop');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      phoneNumber: NUMBER,
      keywords: ['JOIN', 'VIP'],
      timezone: 'America/Chicago',
      quietHours: null,
      texts: { help: 'Consent Co: reply STOP to opt out.' },
    });
    expect(res.body.texts.optInConfirmation.length).toBeGreaterThan(10);
  });

  it('keeps fields not given in a later PUT', async () => {
    const res = await dashboard.request('PUT', '/v1/shop', { quietHours: { start: '20:00', end: '09:00' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      phoneNumber: NUMBER,
      keywords: ['JOIN', 'VIP'],
      quietHours: { start: '20:00', end: '09:00' },
    });
  });
});

describe('keyword opt-in', () => {
  it('makes an active keyword subscriber with the phone only, asks for one confirmation, opens no conversation', async () => {
    const from = phone(1);
    const id = await optInByKeyword(from);
    const sub = await dashboard.get(`/v1/subscribers/${id}`);
    expect(sub.status).toBe(200);
    expect(sub.body).toMatchObject({
      id,
      phone: from,
      source: 'keyword',
      status: 'active',
      firstName: null,
      lastName: null,
      customerUrl: null,
    });
    // A keyword subscriber's timezone comes from the number's area code (415: San Francisco).
    expect(sub.body).toMatchObject({ timezone: 'America/Los_Angeles', timezoneSource: 'phone' });
    expect(sub.body.quietHours).toEqual({
      active: expect.any(Boolean),
      endsAt: sub.body.quietHours.active ? expect.any(String) : null,
      timezone: 'America/Los_Angeles',
      rule: sub.body.quietHours.active ? expect.stringMatching(/^(legal|shop)$/) : null,
      state: null,
    });
    const [request] = await requestsFor(from);
    expect(request).toMatchObject({ from: NUMBER, kind: 'opt_in_confirmation', subscriberId: id });
    expect(request!.text.length).toBeGreaterThan(10);
    // The keyword again: nothing new. A HELP afterwards proves the keyword was handled first.
    await text(from, ' join! ');
    await text(from, 'HELP');
    const requests = await eventually(async () => {
      const list = await requestsFor(from);
      return list.some((r) => r.kind === 'help') ? list : undefined;
    });
    expect(requests.map((r) => r.kind)).toEqual(['opt_in_confirmation', 'help']);
    expect(requests[1]!.text).toBe('Consent Co: reply STOP to opt out.');
    expect(await conversationOf(from)).toBeUndefined();
  });

  it('opens no conversation and sends nothing for an unknown number that texts something else, and counts it', async () => {
    const from = phone(2);
    await text(from, 'hello?');
    await text(from, 'INFO');
    await eventually(async () => ((await requestsFor(from)).length ? true : undefined));
    const metrics = await (await fetch(`http://127.0.0.1:${stack.opsPort('subscriber')}/metrics`)).text();
    expect(metrics).toMatch(/sms_inbox_inbound_classified_total\{kind="unknown_sender"\} [1-9]/);
    expect((await requestsFor(from)).map((r) => r.kind)).toEqual(['help']);
    expect((await requestsFor(from))[0]!.subscriberId).toBe('');
  });
});

describe('STOP, START, HELP', () => {
  it('opts out on STOP with one confirmation, keeps STOP in the history, and sends nothing for a second STOP', async () => {
    const from = phone(3);
    const id = await optInByKeyword(from);
    await text(from, 'I have a question');
    await waitConversation(from);
    await text(from, 'Stop');
    const conversation = await waitConversation(from, (c) => c.status === 'opted_out');
    expect(conversation.subscriber.status).toBe('opted_out');
    await text(from, 'STOP');
    await text(from, 'HELP');
    await eventually(async () => {
      const list = await dashboard.all(`/v1/conversations/${conversation.id}/messages`);
      return list.length === 4 ? list : undefined;
    });
    const history = await dashboard.all(`/v1/conversations/${conversation.id}/messages`);
    expect(history.map((m) => m.text)).toEqual(['I have a question', 'Stop', 'STOP', 'HELP']);
    // One opt-out confirmation; HELP from an opted-out number gets nothing.
    expect((await requestsFor(from)).map((r) => r.kind)).toEqual([
      'opt_in_confirmation',
      'opt_out_confirmation',
    ]);
    expect((await dashboard.get(`/v1/subscribers/${id}`)).body.status).toBe('opted_out');
  });

  it('re-subscribes on START and the conversation becomes resolved', async () => {
    const from = phone(4);
    const id = await optInByKeyword(from);
    await text(from, 'hi there');
    await waitConversation(from);
    await text(from, 'STOP');
    await waitConversation(from, (c) => c.status === 'opted_out');
    await text(from, 'start');
    const conversation = await waitConversation(from, (c) => c.status === 'resolved');
    expect(conversation.subscriber.status).toBe('active');
    expect((await dashboard.get(`/v1/subscribers/${id}`)).body.status).toBe('active');
    expect((await requestsFor(from)).map((r) => r.kind)).toEqual([
      'opt_in_confirmation',
      'opt_out_confirmation',
      'opt_in_confirmation',
    ]);
    const history = await dashboard.get(`/v1/subscribers/${id}/consent-history`);
    expect(history.body.items.map((c: JsonBody) => [c.from, c.to, c.source])).toEqual([
      ['opted_out', 'active', 'consent_word'],
      ['active', 'opted_out', 'consent_word'],
      ['none', 'active', 'keyword'],
    ]);
  });
});

describe('consent and conversations in any order', () => {
  it('opens an opted-out conversation when the text that opens it is handled after the opt-out', async () => {
    // JOIN then STOP: an opted-out subscriber and no conversation (neither word opens one).
    const from = phone(50);
    const id = await optInByKeyword(from);
    await text(from, 'STOP');
    const changes = await eventually(async () => {
      const all = (await eventsOn(stack.env.NATS_URL!, Events.subscriberChanged)).filter(
        (e) => e.subscriber?.id === id,
      );
      return all.some((e) => e.subscriber?.status === 'opted_out') ? all : undefined;
    });
    const active = changes.find((e) => e.subscriber?.status === 'active')!;
    // The question they sent between the two, handled only now (a retry, a slower replica): its
    // event carries the subscriber as it was then, active.
    await publishAgain(stack.env.NATS_URL!, Events.replyReceived, {
      messageSid: newMessageSid(),
      shop: SHOP,
      subscriber: active.subscriber,
      body: 'a question sent before STOP',
      media: [],
      receivedAt: active.changedAt,
      consentWord: false,
    });
    const conversation = await waitConversation(from);
    // Settled once the conversation service has caught up with the subscriber as it is now.
    await eventually(
      async () => ((await conversationOf(from))?.status === 'opted_out' ? true : undefined),
      20_000,
      'opted_out',
    );
    expect(conversation.subscriber.phone).toBe(from);
    expect(
      (await dashboard.all('/v1/conversations?status=unresolved&limit=100')).map((c) => c.id),
    ).not.toContain(conversation.id);
  });
});

describe('manual opt-out', () => {
  it('opts out through the API, records the merchant user, and sends nothing', async () => {
    const from = phone(5);
    const id = await optInByKeyword(from);
    await text(from, 'question');
    await waitConversation(from);
    const res = await dashboard.request('POST', `/v1/subscribers/${id}/opt-out`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: 'opted_out' });
    await waitConversation(from, (c) => c.status === 'opted_out');
    const history = await dashboard.get(`/v1/subscribers/${id}/consent-history`);
    expect(history.body.items[0]).toMatchObject({
      from: 'active',
      to: 'opted_out',
      source: 'merchant',
      detail: 'user:staff-7',
    });
    expect((await requestsFor(from)).map((r) => r.kind)).toEqual(['opt_in_confirmation']);
    // Again: still opted out, no second entry.
    expect((await dashboard.request('POST', `/v1/subscribers/${id}/opt-out`)).status).toBe(200);
    expect((await dashboard.get(`/v1/subscribers/${id}/consent-history`)).body.items).toHaveLength(2);
  });

  it("answers 404 for an unknown or another shop's subscriber", async () => {
    expect((await dashboard.request('POST', '/v1/subscribers/000000000000000000000000/opt-out')).status).toBe(
      404,
    );
    const other = await DashboardClient.forShop(stack, 'other.myshopify.com');
    const id = await optInByKeyword(phone(6));
    expect((await other.get(`/v1/subscribers/${id}`)).status).toBe(404);
    expect((await other.request('POST', `/v1/subscribers/${id}/opt-out`)).status).toBe(404);
    expect((await dashboard.get(`/v1/subscribers/${id}`)).body.status).toBe('active');
  });
});

describe('checkout opt-in', () => {
  it('profile then consent: an active checkout subscriber with names, customerUrl and the address timezone', async () => {
    const from = phone(7);
    expect((await shopify.send('customers/create', SHOP, customer(7001, '(415) 555-4007'))).status).toBe(200);
    expect(
      (await shopify.send('customers_marketing_consent/update', SHOP, consent(7001, from, 'subscribed')))
        .status,
    ).toBe(200);
    // Sent at once: if the subscriber service handles it before the webhooks, it holds it.
    await text(from, 'checkout question');
    const conversation = await waitConversation(from);
    expect(conversation.subscriber).toMatchObject({
      phone: from,
      firstName: 'Ada',
      lastName: 'Lovelace',
      source: 'checkout',
      status: 'active',
      timezone: 'America/New_York',
      customerUrl: 'https://admin.shopify.com/store/consent/customers/7001',
    });
    expect(await requestsFor(from)).toEqual([]);
    // The inbox search finds the subscriber by either name, in any case.
    for (const q of ['Lovelace', 'ada', 'Ada Lovelace']) {
      const found = await dashboard.all(`/v1/conversations?q=${encodeURIComponent(q)}`);
      expect(found.map((c) => c.id)).toContain(conversation.id);
    }
  });

  it('consent then profile (older API: consent inside customers/*, either order) gives the same subscriber', async () => {
    const from = phone(8);
    expect(
      (await shopify.send('customers_marketing_consent/update', SHOP, consent(8001, from, 'subscribed')))
        .status,
    ).toBe(200);
    expect(
      (
        await shopify.send(
          'customers/update',
          SHOP,
          customer(8001, from, { first_name: 'Grace', last_name: 'Hopper' }),
        )
      ).status,
    ).toBe(200);
    await text(from, 'hello');
    const conversation = await waitConversation(from, (c) => c.subscriber.firstName === 'Grace');
    expect(conversation.subscriber).toMatchObject({
      lastName: 'Hopper',
      source: 'checkout',
      customerUrl: expect.stringContaining('/customers/8001'),
    });

    const older = phone(9);
    const embedded = customer(9001, older, {
      sms_marketing_consent: consent(9001, older, 'subscribed').sms_marketing_consent,
    });
    expect((await shopify.send('customers/create', SHOP, embedded)).status).toBe(200);
    await text(older, 'hi');
    await waitConversation(older, (c) => c.subscriber.source === 'checkout');
  });

  it('keyword then checkout: one subscriber, enriched', async () => {
    const from = phone(10);
    const id = await optInByKeyword(from);
    expect((await shopify.send('customers/update', SHOP, customer(10001, from))).status).toBe(200);
    expect(
      (await shopify.send('customers_marketing_consent/update', SHOP, consent(10001, from, 'subscribed')))
        .status,
    ).toBe(200);
    const sub = await eventually(async () => {
      const res = await dashboard.get(`/v1/subscribers/${id}`);
      return res.body.customerUrl ? res.body : undefined;
    });
    expect(sub).toMatchObject({ id, phone: from, firstName: 'Ada', status: 'active' });
    await text(from, 'one person');
    const conversation = await waitConversation(from);
    expect(conversation.subscriber.id).toBe(id);
  });

  it('unsubscribed consent opts out; an older consent arriving late changes nothing', async () => {
    const from = phone(11);
    const id = await optInByKeyword(from);
    const now = Date.now();
    await shopify.send(
      'customers_marketing_consent/update',
      SHOP,
      consent(11001, from, 'unsubscribed', new Date(now + 1000).toISOString()),
    );
    await eventually(async () =>
      (await dashboard.get(`/v1/subscribers/${id}`)).body.status === 'opted_out' ? true : undefined,
    );
    await shopify.send(
      'customers_marketing_consent/update',
      SHOP,
      consent(11001, from, 'subscribed', new Date(now - 60_000).toISOString()),
    );
    await text(phone(12), 'INFO');
    await eventually(async () => ((await requestsFor(phone(12))).length ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    expect((await dashboard.get(`/v1/subscribers/${id}`)).body.status).toBe('opted_out');
  });

  it('answers a repeated webhook 200 with no second effect', async () => {
    const from = phone(13);
    const body = consent(13001, from, 'subscribed');
    expect(
      (await shopify.send('customers_marketing_consent/update', SHOP, body, { id: 'ev-repeat-1' })).status,
    ).toBe(200);
    expect(
      (await shopify.send('customers_marketing_consent/update', SHOP, body, { id: 'ev-repeat-1' })).status,
    ).toBe(200);
    await text(from, 'hi');
    const conversation = await waitConversation(from);
    const history = await dashboard.get(`/v1/subscribers/${conversation.subscriber.id}/consent-history`);
    expect(history.body.items).toHaveLength(1);
  });

  it('holds a text handled before its checkout subscription and shows it once the subscription is handled; one sent over a minute before the consent stays unanswered', async () => {
    const held = async (from: string) =>
      (await findEverywhere(stack.env.MONGODB_URI!, [from])).filter((hit) => hit.includes('held_texts'));
    const checkout = (id: number, from: string, consentAt: number) =>
      customer(id, from, {
        sms_marketing_consent: consent(id, from, 'subscribed', new Date(consentAt).toISOString())
          .sms_marketing_consent,
      });

    // The customer consented at checkout, then texted; the webhook is handled after the text.
    const from = phone(14);
    const consentedAt = Date.now() - 5_000;
    const photo = { contentType: 'image/png', bytes: Buffer.from('a photo of the order') };
    const mms = await stack.twilio!.receive({
      from,
      to: NUMBER,
      body: 'Is my order on its way?',
      media: [photo],
    });
    expect(mms.webhookStatus).toBe(200);
    await eventually(async () => ((await held(from)).length ? true : undefined), 20_000, 'the text held');
    expect(await conversationOf(from)).toBeUndefined();
    expect((await shopify.send('customers/create', SHOP, checkout(14001, from, consentedAt))).status).toBe(
      200,
    );
    const conversation = await waitConversation(from);
    expect(conversation).toMatchObject({
      status: 'unresolved',
      lastMessage: {
        text: 'Is my order on its way?',
        direction: 'inbound',
        mediaUrls: [expect.stringContaining(`/Messages/${mms.sid}/Media/ME`)],
      },
      subscriber: { source: 'checkout', firstName: 'Ada', status: 'active' },
    });
    await eventually(
      async () => ((await held(from)).length === 0 ? true : undefined),
      20_000,
      'nothing held',
    );

    // A text sent before the customer consented is not an answer to the shop's texts.
    const early = phone(15);
    await text(early, 'who is this?');
    await eventually(async () => ((await held(early)).length ? true : undefined), 20_000, 'the text held');
    expect(
      (await shopify.send('customers/create', SHOP, checkout(15001, early, Date.now() + 120_000))).status,
    ).toBe(200);
    await eventually(
      async () => ((await held(early)).length === 0 ? true : undefined),
      20_000,
      'nothing held',
    );
    await text(early, 'now I have a question');
    const later = await waitConversation(early);
    const history = await dashboard.all(`/v1/conversations/${later.id}/messages`);
    expect(history.map((m) => m.text)).toEqual(['now I have a question']);
  });
});

describe('bad Shopify input', () => {
  const receipts = () => countDocuments(stack.env.MONGODB_URI!, 'sms_inbox_ingestion', 'receipts');

  it.each([
    ['a bad HMAC', { hmac: 'AAAA' }, 401, 'invalid_hmac'],
    ['no HMAC', { hmac: null }, 401, 'invalid_hmac'],
    ['malformed JSON', { raw: '{"id": 1,' }, 400, 'malformed_body'],
    ['a wrong content type', { contentType: 'text/plain' }, 415, 'unsupported_media_type'],
  ] as const)(
    'answers %s with the expected status and code, storing nothing',
    async (_name, options, status, code) => {
      const before = await receipts();
      const res = await shopify.send(
        'customers_marketing_consent/update',
        SHOP,
        consent(1, phone(20), 'subscribed'),
        options,
      );
      expect(res.status).toBe(status);
      expect(((await res.json()) as JsonBody).error.code).toBe(code);
      expect(await receipts()).toBe(before);
    },
  );

  it.each([
    ['a missing phone', consent(2, '', 'subscribed'), 400, 'missing_phone'],
    ['an invalid phone', consent(3, 'call me maybe', 'subscribed'), 400, 'invalid_phone'],
    [
      'no customer id',
      { phone: phone(21), sms_marketing_consent: { state: 'subscribed' } },
      400,
      'invalid_payload',
    ],
    ['a JSON array', [1, 2], 400, 'malformed_body'],
  ])('answers %s with the expected status and code, storing nothing', async (_name, body, status, code) => {
    const before = await receipts();
    const res = await shopify.send('customers_marketing_consent/update', SHOP, body);
    expect(res.status).toBe(status);
    expect(((await res.json()) as JsonBody).error.code).toBe(code);
    expect(await receipts()).toBe(before);
  });

  it('answers 404 for a shop that has not set up the app, and 400 for a domain that is not a shop', async () => {
    const unknown = await shopify.send('customers/create', 'nobody.myshopify.com', customer(5, phone(22)));
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as JsonBody).error.code).toBe('unknown_shop');
    const bad = await shopify.send('customers/create', 'evil.example.com', customer(5, phone(22)));
    expect(bad.status).toBe(400);
  });

  it('acknowledges topics it does not handle', async () => {
    expect((await shopify.send('orders/create', SHOP, { id: 1 })).status).toBe(200);
  });
});

describe('privacy webhooks', () => {
  it('customers/data_request lists the request and the export holds the subscriber, consent and messages', async () => {
    const from = phone(30);
    const id = await optInByKeyword(from);
    await text(from, 'export me');
    await waitConversation(from);
    await shopify.send('customers/update', SHOP, customer(30001, from));
    await eventually(async () =>
      (await dashboard.get(`/v1/subscribers/${id}`)).body.customerUrl ? true : undefined,
    );
    const res = await shopify.send('customers/data_request', SHOP, {
      shop_domain: SHOP,
      customer: { id: 30001, phone: from, email: 'x@example.com' },
      data_request: { id: 991 },
    });
    expect(res.status).toBe(200);
    const request = await eventually(async () => {
      const list = (await dashboard.get('/v1/data-requests')).body.items as JsonBody[];
      return list.find((r) => r.customerId === '30001');
    });
    expect(request).toMatchObject({
      subscriberId: id,
      shopifyRequestId: '991',
      exportUrl: `/v1/subscribers/${id}/export`,
    });
    const exported = await dashboard.get(request.exportUrl);
    expect(exported.status).toBe(200);
    expect(exported.body).toMatchObject({
      shop: SHOP,
      subscriber: { id, phone: from },
      conversation: { status: 'unresolved' },
    });
    expect(exported.body.messages.map((m: JsonBody) => m.text)).toEqual(['export me']);
    expect(exported.body.consentHistory).toHaveLength(1);
  });

  it("customers/redact erases the customer's phone, names and texts from every service's database", async () => {
    const from = phone(31);
    const secretText = `my secret order ${Date.now()}`;
    expect(
      (
        await shopify.send(
          'customers/create',
          SHOP,
          customer(31001, from, { first_name: 'Zelda', last_name: 'Quixotic' }),
        )
      ).status,
    ).toBe(200);
    expect(
      (await shopify.send('customers_marketing_consent/update', SHOP, consent(31001, from, 'subscribed')))
        .status,
    ).toBe(200);
    await text(from, secretText);
    const conversation = await waitConversation(from);
    const id = conversation.subscriber.id;
    const needles = [from, 'Zelda', 'Quixotic', secretText];
    expect((await findEverywhere(stack.env.MONGODB_URI!, needles)).length).toBeGreaterThan(0);

    const res = await shopify.send('customers/redact', SHOP, {
      shop_domain: SHOP,
      customer: { id: 31001, phone: from },
      orders_to_redact: [],
    });
    expect(res.status).toBe(200);
    await eventually(
      async () => ((await findEverywhere(stack.env.MONGODB_URI!, needles)).length === 0 ? true : undefined),
      20_000,
      'erasure',
    );
    // The proof of consent stays: the subscriber id, its status and the consent history.
    const sub = await dashboard.get(`/v1/subscribers/${id}`);
    expect(sub.body).toMatchObject({ id, status: 'opted_out', firstName: null });
    expect((await dashboard.get(`/v1/subscribers/${id}/consent-history`)).body.items.length).toBeGreaterThan(
      0,
    );
    expect((await dashboard.get(`/v1/conversations/${conversation.id}`)).status).toBe(404);
  });

  it("shop/redact deletes the shop's data in every service", async () => {
    const shop = 'leaving.myshopify.com';
    const leaving = await DashboardClient.forShop(stack, shop);
    expect(
      (await leaving.request('PUT', '/v1/shop', { phoneNumber: '+14155550499', keywords: ['JOIN'] })).status,
    ).toBe(200);
    const from = phone(40);
    await twilio.send({ from, to: '+14155550499', body: 'JOIN' });
    await eventually(async () => ((await requestsFor(from)).length ? true : undefined));
    await twilio.send({ from, to: '+14155550499', body: 'bye for now' });
    await eventually(async () => ((await leaving.all('/v1/conversations')).length ? true : undefined));
    // A stranger's text, held in case that number subscribes.
    const stranger = phone(41);
    await twilio.send({ from: stranger, to: '+14155550499', body: 'anyone there?' });
    await eventually(async () =>
      (await findEverywhere(stack.env.MONGODB_URI!, [stranger])).length ? true : undefined,
    );
    expect((await findEverywhere(stack.env.MONGODB_URI!, [shop])).length).toBeGreaterThan(0);

    expect((await shopify.send('shop/redact', shop, { shop_id: 1, shop_domain: shop })).status).toBe(200);
    await eventually(
      async () =>
        (await findEverywhere(stack.env.MONGODB_URI!, [shop, from, stranger])).length === 0
          ? true
          : undefined,
      20_000,
      'shop erasure',
    );
    expect((await leaving.get('/v1/shop')).status).toBe(404);
  });

  it('lets a shop erasure win over texts on their way through the services: nothing of the shop comes back', async () => {
    const shop = 'racing.myshopify.com';
    const number = '+14155550498';
    const racing = await DashboardClient.forShop(stack, shop);
    expect(
      (await racing.request('PUT', '/v1/shop', { phoneNumber: number, keywords: ['JOIN'] })).status,
    ).toBe(200);
    const phones = Array.from({ length: 8 }, (_, i) => phone(60 + i));
    for (const from of phones) await twilio.send({ from, to: number, body: 'JOIN' });
    await eventually(async () =>
      (await Promise.all(phones.map(requestsFor))).every((r) => r.length) ? true : undefined,
    );
    await Promise.all(phones.map((from) => twilio.send({ from, to: number, body: 'first' })));
    await eventually(async () => ((await racing.all('/v1/conversations')).length === 8 ? true : undefined));

    // Texts keep coming while the shop is erased: some are still between ingestion and the
    // conversation service when the erasure runs there.
    const burst = Promise.all(
      phones.flatMap((from) =>
        Array.from({ length: 5 }, (_, k) => twilio.send({ from, to: number, body: `t${k}` })),
      ),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect((await shopify.send('shop/redact', shop, { shop_id: 2, shop_domain: shop })).status).toBe(200);
    await burst;
    // A text still in flight may write for a moment before it finds the erasure and erases again:
    // what counts is what is left once everything in flight has been handled.
    const left = () => findEverywhere(stack.env.MONGODB_URI!, [shop, ...phones]);
    await new Promise((r) => setTimeout(r, 3_000));
    await eventually(async () => ((await left()).length === 0 ? true : undefined), 20_000).catch(() => {});
    expect(await left()).toEqual([]);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await left()).toEqual([]);
  });
});
