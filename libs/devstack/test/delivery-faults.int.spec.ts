// Delivery and ingestion when things go wrong: a provider call whose answer never comes, the
// delivery service killed with SIGKILL during a burst of replies and right after Twilio accepted
// a reply, status callbacks that never arrive (the statuses found again through Twilio's Messages
// API, and a late callback changing nothing), and inbound texts that reached Twilio while
// ingestion was down (found again through Twilio's Messages API).
import mongoose from 'mongoose';
import {
  DashboardClient,
  eventually,
  type JsonBody,
  type Stack,
  startStack,
  TwilioWebhookSender,
  tempDir,
} from '../src/index.js';

const SHOP = 'faults.myshopify.com';
const OTHER_SHOP = 'faults-other.myshopify.com';
const NUMBER = '+14155550500';
const OTHER_NUMBER = '+14155550600';
// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

let stack: Stack;
let twilio: TwilioWebhookSender;
let shop: DashboardClient;
let other: DashboardClient;

const repliesTo = (phone: string) =>
  stack.twilio!.messages.filter((m) => m.to === phone && !m.body.startsWith('faults: '));

const reply = (conversationId: string, text: string) =>
  shop.request(
    'POST',
    `/v1/conversations/${conversationId}/replies`,
    { text, send: 'now' },
    { 'idempotency-key': `burst:${conversationId}:${text}` },
  );

async function conversation(from: string): Promise<JsonBody> {
  await twilio.send({ from, to: NUMBER, body: 'JOIN' });
  await twilio.send({ from, to: NUMBER, body: 'a question' });
  return eventually(async () => (await shop.all(`/v1/conversations?q=${encodeURIComponent(from)}`))[0]);
}

beforeAll(async () => {
  stack = await startStack({
    dir: tempDir('e2e-delivery-faults'),
    logLevel: 'warn',
    env: {
      NATS_ACK_WAIT_MS: '3000',
      TWILIO_TIMEOUT_MS: '1000',
      SEND_RETRY_BASE_MS: '200',
      INBOUND_RECONCILE_INTERVAL_MS: '1000',
      STATUS_RECONCILE_AFTER_MS: '1500',
      STATUS_RECONCILE_INTERVAL_MS: '500',
      OUTBOX_SWEEP_MS: '1000',
    },
  });
  twilio = new TwilioWebhookSender(stack);
  shop = await DashboardClient.forShop(stack, SHOP);
  other = await DashboardClient.forShop(stack, OTHER_SHOP);
  for (const [client, phoneNumber] of [
    [shop, NUMBER],
    [other, OTHER_NUMBER],
  ] as const) {
    const res = await client.request('PUT', '/v1/shop', {
      phoneNumber,
      keywords: ['JOIN'],
      timezone: 'Pacific/Kiritimati',
      texts: {
        optInConfirmation: 'faults: welcome',
        help: 'faults: help',
        optOutConfirmation: 'faults: bye',
      },
    });
    expect(res.status).toBe(200);
  }
});

afterAll(async () => {
  await stack?.stop();
});

it('settles a call whose answer never came by asking Twilio, and sends nothing twice', async () => {
  const from = '+14155551001';
  const c = await conversation(from);
  stack.twilio!.holdNext(2_500, 1, { body: 'the answer timed out' });
  const res = await shop.request('POST', `/v1/conversations/${c.id}/replies`, {
    text: 'the answer timed out',
    send: 'now',
  });
  expect(res.status).toBe(202);
  const delivered = await eventually(async () => {
    const m = (await shop.all(`/v1/conversations/${c.id}/messages`)).find((x) => x.id === res.body.id);
    return m?.status === 'delivered' ? m : undefined;
  }, 30_000);
  expect(delivered.sentAt).toEqual(expect.any(String));
  expect(stack.twilio!.scriptedLeft()).toBe(0);
  const metrics = await (await fetch(`http://127.0.0.1:${stack.opsPort('delivery')}/metrics`)).text();
  expect(metrics).toMatch(/sms_inbox_delivery_sends_total\{kind="reply",outcome="unknown",code=""\} 1/);
  expect(metrics).toMatch(
    /sms_inbox_delivery_sends_total\{kind="reply",outcome="reconciled",code="found"\} 1/,
  );
  await new Promise((r) => setTimeout(r, 1_000));
  expect(repliesTo(from).map((m) => m.body)).toEqual(['the answer timed out']);
});

it('sends each of 200 replies at most once when delivery is killed mid-burst, and every one ends sent or visibly failed', async () => {
  const phones = Array.from({ length: 20 }, (_, i) => `+1415555${2000 + i}`);
  const conversations: JsonBody[] = [];
  for (const phone of phones) conversations.push(await conversation(phone));
  const replies = conversations.flatMap((c, i) =>
    Array.from({ length: 10 }, (_, n) => ({
      conversationId: c.id as string,
      text: `reply ${n} to ${phones[i]}`,
    })),
  );

  let killed = false;
  let restarted: Promise<unknown> = Promise.resolve();
  const watcher = (async () => {
    await eventually(async () => (stack.twilio!.messages.length >= 60 ? true : undefined), 120_000);
    await stack.services.get('delivery')!.kill();
    killed = true;
    restarted = new Promise((r) => setTimeout(r, 1_000)).then(() => stack.startService('delivery'));
  })();
  const ids: string[] = [];
  const queue = [...replies];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        // As a dashboard does: a 503/504 under load is retried with the same Idempotency-Key.
        let res = await reply(next.conversationId, next.text);
        for (let attempt = 1; res.status >= 500 && attempt < 5; attempt++) {
          res = await reply(next.conversationId, next.text);
        }
        expect(res.status).toBe(202);
        ids.push(res.body.id);
      }
    }),
  );
  await watcher;
  await restarted;
  expect(killed).toBe(true);

  const final = new Set(['sent', 'delivered', 'undelivered', 'failed']);
  const messages = await eventually(
    async () => {
      const all = (
        await Promise.all(conversations.map((c) => shop.all(`/v1/conversations/${c.id}/messages`)))
      ).flat();
      const outbound = all.filter((m) => m.direction === 'outbound');
      return outbound.length === 200 && outbound.every((m) => final.has(m.status)) ? outbound : undefined;
    },
    180_000,
    'every reply sent or failed',
  );
  expect(new Set(messages.map((m) => m.id))).toEqual(new Set(ids));

  const sent = phones.flatMap((p) => repliesTo(p));
  const keys = sent.map((m) => `${m.to}|${m.body}`);
  expect(keys.length).toBe(new Set(keys).size); // nobody got a reply twice
  const delivered = messages.filter((m) => m.status !== 'failed');
  expect(new Set(keys)).toEqual(
    new Set(
      delivered.map((m) => `${phones[conversations.findIndex((c) => c.id === m.conversationId)]}|${m.text}`),
    ),
  );
}, 400_000);

const messageOf = async (conversationId: string, id: string): Promise<JsonBody> =>
  (await shop.all(`/v1/conversations/${conversationId}/messages`)).find((m) => m.id === id);

const deliveryMetric = async (pattern: RegExp): Promise<number> => {
  const text = await (await fetch(`http://127.0.0.1:${stack.opsPort('delivery')}/metrics`)).text();
  return Number(pattern.exec(text)?.[1] ?? 0);
};

it('shows a reply sent, with its provider sid, when delivery is killed right after Twilio accepted it and its callbacks are lost', async () => {
  const from = '+14155554001';
  const c = await conversation(from);
  const text = 'accepted, then the process died';
  const twilioSim = stack.twilio!;
  twilioSim.dropCallbacks(1, { body: text });
  twilioSim.finishNext('sent', 1, { body: text }); // a carrier that never confirms delivery
  let killed: Promise<void> | undefined;
  twilioSim.afterNextAccept(
    () => {
      killed = stack.services.get('delivery')!.kill();
    },
    { body: text },
  );

  const res = await shop.request('POST', `/v1/conversations/${c.id}/replies`, { text, send: 'now' });
  expect(res.status).toBe(202);
  await eventually(async () => (killed ? true : undefined), 30_000, 'delivery killed after the accept');
  await killed;
  await stack.startService('delivery');

  const sent = await eventually(
    async () => {
      const m = await messageOf(c.id, res.body.id);
      return m?.status === 'sent' ? m : undefined;
    },
    60_000,
    'the reply shown sent',
  );
  expect(sent.sentAt).toEqual(expect.any(String));
  const atTwilio = twilioSim.messages.filter((m) => m.body === text);
  expect(atTwilio).toHaveLength(1); // and sent once
  expect(twilioSim.callbacksDropped()).toBeGreaterThanOrEqual(1);
  // The conversation's own record of the message holds the provider's sid.
  const db = await mongoose
    .createConnection(stack.env.MONGODB_URI!, { dbName: 'sms_inbox_conversation' })
    .asPromise();
  try {
    const stored = await db.collection('messages').findOne({ _id: res.body.id } as never);
    expect(stored?.providerSid).toBe(atTwilio[0]!.sid);
  } finally {
    await db.close();
  }
}, 120_000);

it("settles replies whose status callbacks were all lost from Twilio's Messages API, and a late callback changes nothing", async () => {
  const from = '+14155554002';
  const c = await conversation(from);
  stack.twilio!.dropCallbacks(1, { to: from });
  stack.twilio!.finishNext('undelivered', 1, { body: 'lost callbacks, undelivered' });
  const ids: Record<string, string> = {};
  for (const text of ['lost callbacks, delivered', 'lost callbacks, undelivered']) {
    const res = await shop.request('POST', `/v1/conversations/${c.id}/replies`, { text, send: 'now' });
    expect(res.status).toBe(202);
    ids[text] = res.body.id;
  }
  const settled = await eventually(
    async () => {
      const delivered = await messageOf(c.id, ids['lost callbacks, delivered']!);
      const undelivered = await messageOf(c.id, ids['lost callbacks, undelivered']!);
      return delivered?.status === 'delivered' && undelivered?.status === 'undelivered'
        ? { delivered, undelivered }
        : undefined;
    },
    20_000,
    'both replies final without a single callback',
  );
  expect(settled.undelivered.errorCode).toBe(30003);
  expect(settled.delivered).toMatchObject({ errorCode: null, sentAt: expect.any(String) });
  expect(
    await deliveryMetric(
      /sms_inbox_delivery_reconcile_checks_total\{outcome="changed",status="delivered"\} (\d+)/,
    ),
  ).toBeGreaterThanOrEqual(1);

  // Twilio's real callbacks turn up late, out of order: nothing moves back. Each is found stale,
  // or (the `sent` followed at once by a final status of its message) dropped as superseded.
  const stale = /sms_inbox_delivery_status_reports_total\{source="callback",outcome="stale"\} (\d+)/;
  const superseded =
    /sms_inbox_consumer_messages_total\{consumer="delivery-status-received",outcome="superseded"\} (\d+)/;
  const answered = async () => (await deliveryMetric(stale)) + (await deliveryMetric(superseded));
  const answeredBefore = await answered();
  const sid = (body: string) => stack.twilio!.messages.find((m) => m.body === body)!.sid;
  const late = [
    { messageSid: sid('lost callbacks, delivered'), status: 'sent' },
    { messageSid: sid('lost callbacks, delivered'), status: 'undelivered', errorCode: 30005 },
    { messageSid: sid('lost callbacks, undelivered'), status: 'delivered' },
  ];
  for (const callback of late) expect((await twilio.status(callback)).status).toBe(200);
  await eventually(
    async () => ((await answered()) >= answeredBefore + late.length ? true : undefined),
    20_000,
    'the late callbacks handled',
  );
  expect(await messageOf(c.id, ids['lost callbacks, delivered']!)).toEqual(settled.delivered);
  expect(await messageOf(c.id, ids['lost callbacks, undelivered']!)).toEqual(settled.undelivered);
}, 120_000);

it('ingests texts Twilio received while ingestion was down, once, and serves an MMS image to its shop only', async () => {
  const from = '+14155553001';
  const c = await conversation(from);
  await stack.services.get('ingestion')!.stop();
  let mms: { sid: string; webhookStatus: number | null };
  try {
    const text = await stack.twilio!.receive({ from, to: NUMBER, body: 'sent while you were down' });
    expect(text.webhookStatus).toBeNull(); // Twilio could not deliver the webhook
    mms = await stack.twilio!.receive({
      from,
      to: NUMBER,
      body: 'photo of the damage',
      media: [{ contentType: 'image/png', bytes: PNG }],
    });
  } finally {
    await stack.startService('ingestion');
  }

  const texts = await eventually(async () => {
    const list = await shop.all(`/v1/conversations/${c.id}/messages`);
    const recovered = list.filter(
      (m) => m.text === 'sent while you were down' || m.text === 'photo of the damage',
    );
    return recovered.length === 2 ? list : undefined;
  }, 30_000);
  // Reconciliation keeps running: a second and third pass add nothing.
  await new Promise((r) => setTimeout(r, 2_500));
  const again = await shop.all(`/v1/conversations/${c.id}/messages`);
  expect(again.length).toBe(texts.length);
  expect(again.filter((m) => m.text === 'sent while you were down')).toHaveLength(1);

  const photo = again.find((m) => m.text === 'photo of the damage')!;
  expect(photo.mediaUrls).toEqual([expect.stringContaining(`/Messages/${mms!.sid}/Media/ME`)]);
  const image = await fetch(`${stack.gatewayUrl}/v1/messages/${photo.id}/media/0`, {
    headers: { authorization: `Bearer ${shop.token}` },
  });
  expect(image.status).toBe(200);
  expect(image.headers.get('content-type')).toBe('image/png');
  expect(Buffer.from(await image.arrayBuffer())).toEqual(PNG);

  const media = (client: DashboardClient, path: string) =>
    fetch(`${stack.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${client.token}` } });
  expect((await media(other, `/v1/messages/${photo.id}/media/0`)).status).toBe(404);
  expect((await media(shop, `/v1/messages/${photo.id}/media/1`)).status).toBe(404);
  expect((await media(shop, `/v1/messages/${photo.id}/media/first`)).status).toBe(400);
  expect((await fetch(`${stack.gatewayUrl}/v1/messages/${photo.id}/media/0`)).status).toBe(401);
}, 120_000);
