// Quiet hours and the scheduler end to end: with a shop window ending about a minute from now,
// "auto" is refused with that end, "now" goes at once as a recorded override, "scheduled" is
// released by Agenda once within seconds of the end, and nothing is sent for a reply canceled or
// a subscriber who opted out before the release; the scheduler is SIGKILLed and restarted while
// waiting, with a second scheduler process running beside it.
import { join } from 'node:path';
import {
  DashboardClient,
  eventually,
  freePort,
  type JsonBody,
  localTime,
  type ManagedProcess,
  phoneIn,
  type Stack,
  spawnService,
  startStack,
  TwilioWebhookSender,
  tempDir,
  zoneWithHour,
} from '../src/index.js';

const SHOP = 'scheduled.myshopify.com';
const WIDENED_SHOP = 'scheduled-widened.myshopify.com';
const NUMBER = '+14155550700';
const WIDENED_NUMBER = '+14155550710';
// A zone where it is daytime, so only the shop's window can be on.
const ZONE = zoneWithHour(10, 17);
const phone = (n: number) => phoneIn(ZONE, 7000 + n);
const hhmm = (at: Date) => {
  const { hour, minute } = localTime(ZONE, at);
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
};

let stack: Stack;
let twilio: TwilioWebhookSender;
let shop: DashboardClient;
let widened: DashboardClient;
let secondScheduler: ManagedProcess | undefined;
/** When the shop's window ends: the next minute boundary at least 30 s from now. */
let endsAt: Date;

const sentTo = (to: string) =>
  stack.twilio!.messages.filter((m) => m.to === to && !m.body.startsWith('sched: '));

async function conversation(client: DashboardClient, to: string, from: string): Promise<JsonBody> {
  await twilio.send({ from, to, body: 'JOIN' });
  await twilio.send({ from, to, body: 'when does it ship?' });
  return eventually(async () => (await client.all(`/v1/conversations?q=${encodeURIComponent(from)}`))[0]);
}

const reply = (client: DashboardClient, id: string, body: object) =>
  client.request('POST', `/v1/conversations/${id}/replies`, body);

async function messageOf(client: DashboardClient, conversationId: string, id: string): Promise<JsonBody> {
  return (await client.all(`/v1/conversations/${conversationId}/messages`)).find((m) => m.id === id);
}

// Set up before the window starts ticking: the replies below are made while it is on.
const subjects: Record<string, { c: JsonBody; message?: JsonBody; from: string }> = {};

beforeAll(async () => {
  stack = await startStack({
    dir: tempDir('e2e-scheduled'),
    logLevel: 'warn',
    env: { SCHEDULER_POLL_MS: '500', SCHEDULER_LOCK_LIFETIME_MS: '10000', NATS_ACK_WAIT_MS: '5000' },
  });
  twilio = new TwilioWebhookSender(stack);
  shop = await DashboardClient.forShop(stack, SHOP, 'staff-7');
  widened = await DashboardClient.forShop(stack, WIDENED_SHOP, 'staff-8');
  const texts = {
    optInConfirmation: 'sched: welcome',
    help: 'sched: help',
    optOutConfirmation: 'sched: bye',
  };
  for (const [client, phoneNumber] of [
    [shop, NUMBER],
    [widened, WIDENED_NUMBER],
  ] as const) {
    expect(
      (await client.request('PUT', '/v1/shop', { phoneNumber, keywords: ['JOIN'], timezone: ZONE, texts }))
        .status,
    ).toBe(200);
  }
  const names = ['auto', 'now', 'scheduled', 'optedOut', 'canceled', 'killed'] as const;
  for (const [i, name] of names.entries()) {
    const from = phone(i);
    subjects[name] = { from, c: await conversation(shop, NUMBER, from) };
  }
  subjects.widened = { from: phone(9), c: await conversation(widened, WIDENED_NUMBER, phone(9)) };

  // The window ends on a whole minute 30 to 90 s from now: the tests before the release take
  // about 4 s (the SIGKILLed scheduler's 3 s the most), and the killed scheduler's Agenda lock
  // expires 10 s after the kill, so even a machine three times slower ends them in time, and the
  // release test waits no longer than it must.
  endsAt = new Date(Math.ceil((Date.now() + 30_000) / 60_000) * 60_000);
  const start = hhmm(new Date(Date.now() - 3_600_000));
  for (const client of [shop, widened]) {
    const res = await client.request('PUT', '/v1/shop', { quietHours: { start, end: hhmm(endsAt) } });
    expect(res.status).toBe(200);
  }
}, 120_000);

afterAll(async () => {
  await secondScheduler?.stop();
  await stack?.stop();
});

it('refuses "auto" in quiet hours with the window\'s end, timezone and rule', async () => {
  const { c } = subjects.auto!;
  const res = await reply(shop, c.id, { text: 'soon' });
  expect(res.status).toBe(409);
  expect(res.body.error).toMatchObject({
    code: 'quiet_hours',
    quietHours: { endsAt: endsAt.toISOString(), timezone: ZONE, rule: 'shop' },
  });
  const res2 = await reply(shop, c.id, { text: 'soon', send: 'auto' });
  expect(res2.status).toBe(409);
  const conversationNow = (await shop.get(`/v1/conversations/${c.id}`)).body;
  expect(conversationNow.quietHours).toMatchObject({
    active: true,
    endsAt: endsAt.toISOString(),
    rule: 'shop',
  });
});

it('sends "now" at once, marked as an override with the merchant user', async () => {
  const { c, from } = subjects.now!;
  const res = await reply(shop, c.id, { text: 'sorry for the late text', send: 'now' });
  expect(res.status).toBe(202);
  expect(res.body).toMatchObject({ quietHoursOverride: true, sentBy: 'staff-7', status: 'queued' });
  await eventually(async () => (sentTo(from).length === 1 ? true : undefined));
  expect(Date.now()).toBeLessThan(endsAt.getTime());
  subjects.now!.message = res.body;
});

it('schedules replies for the end of quiet hours, resolving their conversations', async () => {
  for (const name of ['scheduled', 'optedOut', 'canceled', 'killed'] as const) {
    const { c } = subjects[name]!;
    const res = await reply(shop, c.id, { text: `scheduled for ${name}`, send: 'scheduled' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'scheduled', scheduledFor: endsAt.toISOString() });
    subjects[name]!.message = res.body;
    expect((await shop.get(`/v1/conversations/${c.id}`)).body.status).toBe('resolved');
  }
  const res = await reply(widened, subjects.widened!.c.id, {
    text: 'scheduled, then widened',
    send: 'scheduled',
  });
  expect(res.status).toBe(202);
  subjects.widened!.message = res.body;
  for (const { from } of Object.values(subjects).filter((s) => s !== subjects.now))
    expect(sentTo(from)).toEqual([]);
});

it('cancels a scheduled reply, answers the same again, and refuses to cancel a sent one', async () => {
  const { message } = subjects.canceled!;
  const first = await shop.request('POST', `/v1/messages/${message!.id}/cancel`);
  expect(first.status).toBe(200);
  expect(first.body).toMatchObject({ id: message!.id, status: 'canceled' });
  expect((await shop.request('POST', `/v1/messages/${message!.id}/cancel`)).body.status).toBe('canceled');
  const sent = await shop.request('POST', `/v1/messages/${subjects.now!.message!.id}/cancel`);
  expect(sent.status).toBe(409);
  expect(sent.body.error.code).toBe('message_not_scheduled');
  expect((await widened.request('POST', `/v1/messages/${message!.id}/cancel`)).status).toBe(404);
});

it('lets a subscriber opt out before the release', async () => {
  const { from } = subjects.optedOut!;
  await twilio.send({ from, to: NUMBER, body: 'STOP' });
  await eventually(async () =>
    (await shop.get(`/v1/conversations/${subjects.optedOut!.c.id}`)).body.status === 'opted_out'
      ? true
      : undefined,
  );
});

it('widens a shop window while a reply waits', async () => {
  const later = new Date(endsAt.getTime() + 30 * 60_000);
  const res = await widened.request('PUT', '/v1/shop', {
    quietHours: { start: hhmm(new Date(Date.now() - 3_600_000)), end: hhmm(later) },
  });
  expect(res.status).toBe(200);
});

it('survives a SIGKILLed scheduler restarted beside a second scheduler process', async () => {
  await stack.services.get('scheduler')!.kill();
  await stack.startService('scheduler');
  secondScheduler = spawnService(
    'scheduler',
    { ...stack.serviceEnv('scheduler'), HTTP_PORT: String(await freePort()) },
    join(tempDir('second-scheduler'), 'scheduler.log'),
  );
  await eventually(async () => (secondScheduler!.running ? true : undefined));
});

it('releases each scheduled reply once, within 5 s after the end, and sends nothing it must not', async () => {
  await new Promise((r) => setTimeout(r, Math.max(0, endsAt.getTime() - Date.now())));
  for (const name of ['scheduled', 'killed'] as const) {
    const { from, c, message } = subjects[name]!;
    await eventually(async () => (sentTo(from).length === 1 ? true : undefined), 15_000);
    const sent = sentTo(from)[0]!;
    expect(sent.body).toBe(`scheduled for ${name}`);
    expect(sent.dateCreated.getTime() - endsAt.getTime()).toBeLessThanOrEqual(5_000);
    expect(sent.dateCreated.getTime()).toBeGreaterThanOrEqual(endsAt.getTime());
    await eventually(async () =>
      (await messageOf(shop, c.id, message!.id)).status === 'delivered' ? true : undefined,
    );
  }
  await eventually(async () =>
    (await messageOf(shop, subjects.optedOut!.c.id, subjects.optedOut!.message!.id)).status === 'canceled'
      ? true
      : undefined,
  );
  // Both schedulers have polled many times since: still one SMS each, none for the others.
  await new Promise((r) => setTimeout(r, 3_000));
  expect(sentTo(subjects.scheduled!.from)).toHaveLength(1);
  expect(sentTo(subjects.killed!.from)).toHaveLength(1);
  expect(sentTo(subjects.optedOut!.from)).toEqual([]);
  expect(sentTo(subjects.canceled!.from)).toEqual([]);
  expect(sentTo(subjects.widened!.from)).toEqual([]);
  // The widened shop's reply waits for the new end instead.
  const waiting = await messageOf(widened, subjects.widened!.c.id, subjects.widened!.message!.id);
  expect(waiting.status).toBe('scheduled');
  const metrics = await (await fetch(`http://127.0.0.1:${stack.opsPort('scheduler')}/metrics`)).text();
  expect(metrics).toMatch(/sms_inbox_scheduler_jobs\{state="waiting"\} 1/);
}, 240_000);
