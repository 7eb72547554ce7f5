// Replies and automatic texts end to end: the gateway → conversation → delivery → the real
// twilio SDK → the Twilio simulator; at most one SMS per accepted reply, never to an opted-out
// number, provider errors, status callbacks, quiet hours.
import { Events } from '@sms-inbox/contracts';
import {
  DashboardClient,
  eventsOn,
  eventually,
  type JsonBody,
  phoneIn,
  publishAgain,
  type Stack,
  startStack,
  TwilioWebhookSender,
  tempDir,
  twilioSignature,
  zoneWithHour,
} from '../src/index.js';

// Subscribers take their timezone from their number: one in daytime, one in the night.
const DAY_ZONE = zoneWithHour(10, 17);
const NIGHT_ZONE = zoneWithHour(0, 5);
const dayPhone = (n: number) => phoneIn(DAY_ZONE, 8000 + n);
const nightPhone = (n: number) => phoneIn(NIGHT_ZONE, 8000 + n);

const DAY_SHOP = 'replies-day.myshopify.com';
const NIGHT_SHOP = 'replies-night.myshopify.com';
const DAY_NUMBER = '+14155550800';
const NIGHT_NUMBER = '+14155550900';

let stack: Stack;
let twilio: TwilioWebhookSender;
let day: DashboardClient;
let night: DashboardClient;

async function conversation(client: DashboardClient, to: string, from: string): Promise<JsonBody> {
  await twilio.send({ from, to, body: 'JOIN' });
  await twilio.send({ from, to, body: 'a question' });
  return eventually(async () => (await client.all(`/v1/conversations?q=${encodeURIComponent(from)}`))[0]);
}

const sentTo = (phone: string) => stack.twilio!.messages.filter((m) => m.to === phone);
/** The merchant's replies to `phone`, without the automatic texts (theirs start with the shop's name). */
const repliesTo = (phone: string) => sentTo(phone).filter((m) => !/^replies-(day|night): /.test(m.body));
const settle = () => new Promise((r) => setTimeout(r, 750));

const reply = (client: DashboardClient, conversationId: string, body: object, key?: string) =>
  client.request(
    'POST',
    `/v1/conversations/${conversationId}/replies`,
    body,
    key ? { 'idempotency-key': key } : {},
  );

async function messageStatus(client: DashboardClient, conversationId: string, id: string, wanted: string) {
  return eventually(async () => {
    const list = await client.all(`/v1/conversations/${conversationId}/messages`);
    const m = list.find((x) => x.id === id);
    return m?.status === wanted ? m : undefined;
  });
}

beforeAll(async () => {
  stack = await startStack({ dir: tempDir('e2e-replies'), logLevel: 'warn' });
  twilio = new TwilioWebhookSender(stack);
  day = await DashboardClient.forShop(stack, DAY_SHOP, 'staff-d');
  night = await DashboardClient.forShop(stack, NIGHT_SHOP, 'staff-n');
  expect(
    (
      await day.request('PUT', '/v1/shop', {
        phoneNumber: DAY_NUMBER,
        keywords: ['JOIN'],
        timezone: DAY_ZONE,
      })
    ).status,
  ).toBe(200);
  expect(
    (
      await night.request('PUT', '/v1/shop', {
        phoneNumber: NIGHT_NUMBER,
        keywords: ['JOIN'],
        timezone: NIGHT_ZONE,
      })
    ).status,
  ).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

it('sends one SMS through Twilio, resolves the conversation, and reports the message queued', async () => {
  const from = dayPhone(1);
  const c = await conversation(day, DAY_NUMBER, from);
  const first = {
    text: 'Your order ships today',
    discountCode: 'THANKS10',
    mediaUrl: 'https://cdn.example.com/box.png',
  };
  const res = await reply(day, c.id, first, 'reply-1');
  expect(res.status).toBe(202);
  const message = res.body;
  expect(message).toMatchObject({
    direction: 'outbound',
    status: 'queued',
    encoding: 'GSM-7',
    segments: 1,
    discountCode: 'THANKS10',
    quietHoursOverride: false,
  });
  expect(message.text).toContain(`https://${DAY_SHOP}/discount/THANKS10`);
  await eventually(async () => (repliesTo(from).length === 1 ? true : undefined));
  expect(repliesTo(from)[0]).toMatchObject({
    to: from,
    from: DAY_NUMBER,
    body: message.text,
    mediaUrls: ['https://cdn.example.com/box.png'],
    statusCallback: `${stack.env.PUBLIC_BASE_URL}/webhooks/twilio/status`,
  });
  expect((await day.get(`/v1/conversations/${c.id}`)).body.status).toBe('resolved');
  const stored = await eventually(async () => {
    const list = await day.all(`/v1/conversations/${c.id}/messages`);
    return list.find((m) => m.id === message.id);
  });
  expect(stored.direction).toBe('outbound');
  // Twilio's signed callbacks (sent, then delivered) reach the message.
  const delivered = await eventually(async () => {
    const list = await day.all(`/v1/conversations/${c.id}/messages`);
    const m = list.find((x) => x.id === message.id);
    return m?.status === 'delivered' ? m : undefined;
  });
  expect(delivered.sentAt).toEqual(expect.any(String));

  // The same key and body again: the first result, nothing sent again.
  const again = await day.request('POST', `/v1/conversations/${c.id}/replies`, {
    text: 'Your order ships today',
    discountCode: 'THANKS10',
  });
  expect(again.status).toBe(202);
  const repeat = await reply(day, c.id, first, 'reply-1');
  expect(repeat.status).toBe(202);
  expect(repeat.body.id).toBe(message.id);
  const other = await reply(day, c.id, { text: 'something else' }, 'reply-1');
  expect(other.status).toBe(422);
  await eventually(async () => (repliesTo(from).length === 2 ? true : undefined));
  await settle();
  expect(repliesTo(from)).toHaveLength(2);
});

it('refuses a reply to an opted-out subscriber and sends nothing', async () => {
  const from = dayPhone(2);
  const c = await conversation(day, DAY_NUMBER, from);
  await twilio.send({ from, to: DAY_NUMBER, body: 'STOP' });
  await eventually(async () =>
    (await day.get(`/v1/conversations/${c.id}`)).body.status === 'opted_out' ? true : undefined,
  );
  const res = await day.request('POST', `/v1/conversations/${c.id}/replies`, { text: 'still there?' });
  expect(res.status).toBe(409);
  expect(res.body.error.code).toBe('subscriber_opted_out');
  expect(repliesTo(from)).toEqual([]);
});

it('holds a reply in quiet hours with the window, and sends with send "now" as an override', async () => {
  const from = nightPhone(3);
  const c = await conversation(night, NIGHT_NUMBER, from);
  const held = await night.request('POST', `/v1/conversations/${c.id}/replies`, { text: 'late answer' });
  expect(held.status).toBe(409);
  expect(held.body.error).toMatchObject({
    code: 'quiet_hours',
    quietHours: { endsAt: expect.any(String), timezone: NIGHT_ZONE },
  });
  expect(repliesTo(from)).toEqual([]);
  const now = await night.request('POST', `/v1/conversations/${c.id}/replies`, {
    text: 'urgent answer',
    send: 'now',
  });
  expect(now.status).toBe(202);
  expect(now.body.quietHoursOverride).toBe(true);
  await eventually(async () => (repliesTo(from).length === 1 ? true : undefined));
});

it.each([
  ['no text and no image', { text: '' }, 'text_required'],
  ['1601 characters', { text: 'x'.repeat(1601) }, 'text_too_long'],
  ['an http image', { text: 'look', mediaUrl: 'http://cdn.example.com/a.png' }, 'invalid_media_url'],
  ['an unknown send mode', { text: 'hi', send: 'later' }, 'invalid_request'],
  ['a bad discount code', { text: 'hi', discountCode: 'a/b' }, 'invalid_discount_code'],
])('answers 400 with its code for %s', async (_name, body, code) => {
  const c = await conversation(day, DAY_NUMBER, dayPhone(4));
  const res = await day.request('POST', `/v1/conversations/${c.id}/replies`, body);
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe(code);
});

it('refuses an unsigned or forged status callback with 403', async () => {
  const body = new URLSearchParams({ MessageSid: `SM${'0'.repeat(32)}`, MessageStatus: 'delivered' });
  const unsigned = await fetch(`${stack.ingestionUrl}/webhooks/twilio/status`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  expect(unsigned.status).toBe(403);
  const forged = await fetch(`${stack.ingestionUrl}/webhooks/twilio/status`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'Zm9yZ2Vk' },
    body,
  });
  expect(forged.status).toBe(403);
});

it('keeps a delivered reply delivered when late, repeated or out-of-order callbacks arrive', async () => {
  const from = dayPhone(20);
  const c = await conversation(day, DAY_NUMBER, from);
  const res = await reply(day, c.id, { text: 'callbacks in any order' }, 'reply-callbacks');
  expect(res.status).toBe(202);
  const messageNow = async () =>
    (await day.all(`/v1/conversations/${c.id}/messages`)).find((m) => m.id === res.body.id);
  const delivered = await eventually(async () => {
    const m = await messageNow();
    return m?.status === 'delivered' ? m : undefined;
  });
  // Twilio's callbacks can come late, twice, or out of order: signed, each accepted, none moves
  // the status back, and the first final status stays (a late "undelivered" or "failed" too).
  const url = `${stack.env.PUBLIC_BASE_URL}/webhooks/twilio/status`;
  const { sid } = repliesTo(from)[0]!;
  for (const status of ['sent', 'queued', 'delivered', 'undelivered', 'failed', 'sent']) {
    const params: Record<string, string> = {
      MessageSid: sid,
      AccountSid: stack.env.TWILIO_ACCOUNT_SID!,
      MessageStatus: status,
      To: from,
      From: DAY_NUMBER,
    };
    if (status === 'undelivered' || status === 'failed') params.ErrorCode = '30003';
    const answer = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(stack.env.TWILIO_AUTH_TOKEN!, url, params),
      },
      body: new URLSearchParams(params),
    });
    expect(answer.status).toBeLessThan(300);
  }
  await settle();
  await settle();
  const after = await messageNow();
  expect(after).toMatchObject({ status: 'delivered', sentAt: delivered.sentAt });
  expect(after.errorCode ?? null).toBeNull();
  expect(repliesTo(from)).toHaveLength(1);
});

it('sends one SMS for the same Idempotency-Key five times at once, and for a forced redelivery of the send request', async () => {
  const from = dayPhone(10);
  const c = await conversation(day, DAY_NUMBER, from);
  const answers = await Promise.all(
    Array.from({ length: 5 }, () => reply(day, c.id, { text: 'Five clicks, one text' }, 'five-clicks')),
  );
  expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
  expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
  const id = answers[0]!.body.id;
  await messageStatus(day, c.id, id, 'delivered');

  const requests = await eventsOn(stack.env.NATS_URL!, Events.sendRequested);
  const request = requests.find((r) => r.messageId === id)!;
  expect(requests.filter((r) => r.messageId === id)).toHaveLength(1);
  await publishAgain(stack.env.NATS_URL!, Events.sendRequested, request);
  await eventually(async () =>
    (await eventsOn(stack.env.NATS_URL!, Events.sendRequested)).filter((r) => r.messageId === id).length === 2
      ? true
      : undefined,
  );
  await settle();
  expect(repliesTo(from).map((m) => m.body)).toEqual(['Five clicks, one text']);
});

it('sends nothing to a subscriber who opts out between the reply and the send, and shows it canceled', async () => {
  const from = dayPhone(11);
  const c = await conversation(day, DAY_NUMBER, from);
  await stack.services.get('delivery')!.stop();
  try {
    const accepted = await reply(day, c.id, { text: 'are you still there?' });
    expect(accepted.status).toBe(202);
    const optOut = await day.request('POST', `/v1/subscribers/${c.subscriber.id}/opt-out`);
    expect(optOut.status).toBe(200);
    await stack.startService('delivery');
    await messageStatus(day, c.id, accepted.body.id, 'canceled');
  } finally {
    if (!stack.services.get('delivery')!.running) await stack.startService('delivery');
  }
  await settle();
  expect(repliesTo(from)).toEqual([]);
});

it('opts the subscriber out when Twilio answers 21610 (unsubscribed at the carrier)', async () => {
  const from = dayPhone(12);
  const c = await conversation(day, DAY_NUMBER, from);
  stack.twilio!.failNext(
    { status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' },
    1,
    {
      body: 'hello?',
    },
  );
  const accepted = await reply(day, c.id, { text: 'hello?' });
  expect(accepted.status).toBe(202);
  const failed = await messageStatus(day, c.id, accepted.body.id, 'failed');
  expect(failed.errorCode).toBe(21610);
  expect(stack.twilio!.scriptedLeft()).toBe(0);
  const subscriber = await eventually(async () => {
    const s = (await day.get(`/v1/subscribers/${c.subscriber.id}`)).body;
    return s.status === 'opted_out' ? s : undefined;
  });
  expect(subscriber.status).toBe('opted_out');
  await eventually(async () =>
    (await day.get(`/v1/conversations/${c.id}`)).body.status === 'opted_out' ? true : undefined,
  );
  const history = (await day.get(`/v1/subscribers/${c.subscriber.id}/consent-history`)).body.items;
  expect(history[0]).toMatchObject({ to: 'opted_out', source: 'carrier' });
  expect(repliesTo(from)).toEqual([]);
  // No opt-out confirmation either: the carrier, not the subscriber's text, opted them out.
  expect(sentTo(from).filter((m) => /unsubscribed/.test(m.body))).toEqual([]);
});

it('sends one SMS after Twilio answers 429 first, and fails visibly with the code on another 4xx', async () => {
  const from = dayPhone(13);
  const c = await conversation(day, DAY_NUMBER, from);
  stack.twilio!.failNext({ status: 429, code: 20429, message: 'Too Many Requests' }, 1, {
    body: 'after a rate limit',
  });
  const retried = await reply(day, c.id, { text: 'after a rate limit' });
  await messageStatus(day, c.id, retried.body.id, 'delivered');
  expect(stack.twilio!.scriptedLeft()).toBe(0);
  stack.twilio!.failNext({ status: 400, code: 21614, message: 'To number is not a mobile number' }, 1, {
    body: 'to a landline',
  });
  const refused = await reply(day, c.id, { text: 'to a landline' });
  const failed = await messageStatus(day, c.id, refused.body.id, 'failed');
  expect(failed.errorCode).toBe(21614);
  await settle();
  expect(repliesTo(from).map((m) => m.body)).toEqual(['after a rate limit']);
  expect((await day.get(`/v1/subscribers/${c.subscriber.id}`)).body.status).toBe('active');
});

it('answers keyword opt-in, HELP and STOP with one automatic text each, and nothing after STOP', async () => {
  const from = dayPhone(14);
  await twilio.send({ from, to: DAY_NUMBER, body: 'join' });
  await eventually(async () => (sentTo(from).length === 1 ? true : undefined));
  await twilio.send({ from, to: DAY_NUMBER, body: 'HELP' });
  await eventually(async () => (sentTo(from).length === 2 ? true : undefined));
  await twilio.send({ from, to: DAY_NUMBER, body: 'Stop' });
  await eventually(async () => (sentTo(from).length === 3 ? true : undefined));
  await twilio.send({ from, to: DAY_NUMBER, body: 'HELP' });
  await twilio.send({ from, to: DAY_NUMBER, body: 'JOIN me again?' });
  await settle();
  const shop = (await day.get('/v1/shop')).body;
  expect(sentTo(from).map((m) => [m.from, m.body])).toEqual([
    [DAY_NUMBER, shop.texts.optInConfirmation],
    [DAY_NUMBER, shop.texts.help],
    [DAY_NUMBER, shop.texts.optOutConfirmation],
  ]);
});
