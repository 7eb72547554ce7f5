// Replies end to end: the gateway → conversation → delivery → the real twilio SDK → the Twilio
// simulator; at most one SMS per accepted reply, never to an opted-out number, quiet hours.
import {
  DashboardClient,
  eventually,
  type JsonBody,
  type Stack,
  startStack,
  TwilioWebhookSender,
  tempDir,
} from '../src/index.js';

const ZONES = [
  'Pacific/Kiritimati',
  'Pacific/Auckland',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Asia/Dubai',
  'Europe/Berlin',
  'Europe/London',
  'Atlantic/Azores',
  'America/Sao_Paulo',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'Pacific/Honolulu',
  'Pacific/Pago_Pago',
];
const hourIn = (zone: string) =>
  Number(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' }).format(
      new Date(),
    ),
  );
const DAY_ZONE = ZONES.find((z) => hourIn(z) >= 10 && hourIn(z) <= 17)!;
const NIGHT_ZONE = ZONES.find((z) => hourIn(z) >= 0 && hourIn(z) <= 5)!;

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
  const from = '+14155558001';
  const c = await conversation(day, DAY_NUMBER, from);
  const res = await fetch(`${stack.gatewayUrl}/v1/conversations/${c.id}/replies`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${day.token}`,
      'content-type': 'application/json',
      'idempotency-key': 'reply-1',
    },
    body: JSON.stringify({ text: 'Your order ships today', discountCode: 'THANKS10' }),
  });
  expect(res.status).toBe(202);
  const message = (await res.json()) as JsonBody;
  expect(message).toMatchObject({
    direction: 'outbound',
    status: 'queued',
    encoding: 'GSM-7',
    segments: 1,
    discountCode: 'THANKS10',
    quietHoursOverride: false,
  });
  expect(message.text).toContain(`https://${DAY_SHOP}/discount/THANKS10`);
  await eventually(async () => (sentTo(from).length === 1 ? true : undefined));
  expect(sentTo(from)[0]).toMatchObject({ from: DAY_NUMBER, body: message.text });
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
  const repeat = await fetch(`${stack.gatewayUrl}/v1/conversations/${c.id}/replies`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${day.token}`,
      'content-type': 'application/json',
      'idempotency-key': 'reply-1',
    },
    body: JSON.stringify({ text: 'Your order ships today', discountCode: 'THANKS10' }),
  });
  expect(repeat.status).toBe(202);
  expect(((await repeat.json()) as JsonBody).id).toBe(message.id);
  const other = await fetch(`${stack.gatewayUrl}/v1/conversations/${c.id}/replies`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${day.token}`,
      'content-type': 'application/json',
      'idempotency-key': 'reply-1',
    },
    body: JSON.stringify({ text: 'something else' }),
  });
  expect(other.status).toBe(422);
  await eventually(async () => (sentTo(from).length === 2 ? true : undefined));
  await new Promise((r) => setTimeout(r, 500));
  expect(sentTo(from)).toHaveLength(2);
});

it('refuses a reply to an opted-out subscriber and sends nothing', async () => {
  const from = '+14155558002';
  const c = await conversation(day, DAY_NUMBER, from);
  await twilio.send({ from, to: DAY_NUMBER, body: 'STOP' });
  await eventually(async () =>
    (await day.get(`/v1/conversations/${c.id}`)).body.status === 'opted_out' ? true : undefined,
  );
  const res = await day.request('POST', `/v1/conversations/${c.id}/replies`, { text: 'still there?' });
  expect(res.status).toBe(409);
  expect(res.body.error.code).toBe('subscriber_opted_out');
  expect(sentTo(from)).toEqual([]);
});

it('holds a reply in quiet hours with the window, and sends with send "now" as an override', async () => {
  const from = '+14155558003';
  const c = await conversation(night, NIGHT_NUMBER, from);
  const held = await night.request('POST', `/v1/conversations/${c.id}/replies`, { text: 'late answer' });
  expect(held.status).toBe(409);
  expect(held.body.error).toMatchObject({
    code: 'quiet_hours',
    quietHours: { endsAt: expect.any(String), timezone: NIGHT_ZONE },
  });
  expect(sentTo(from)).toEqual([]);
  const now = await night.request('POST', `/v1/conversations/${c.id}/replies`, {
    text: 'urgent answer',
    send: 'now',
  });
  expect(now.status).toBe(202);
  expect(now.body.quietHoursOverride).toBe(true);
  await eventually(async () => (sentTo(from).length === 1 ? true : undefined));
});

it.each([
  ['no text and no image', { text: '' }, 'text_required'],
  ['1601 characters', { text: 'x'.repeat(1601) }, 'text_too_long'],
  ['an http image', { text: 'look', mediaUrl: 'http://cdn.example.com/a.png' }, 'invalid_media_url'],
  ['an unknown send mode', { text: 'hi', send: 'later' }, 'invalid_request'],
  ['a bad discount code', { text: 'hi', discountCode: 'a/b' }, 'invalid_discount_code'],
])('answers 400 with its code for %s', async (_name, body, code) => {
  const c = await conversation(day, DAY_NUMBER, '+14155558004');
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
