// What SRE teams rely on: one trace per inbound text and per reply across the services, metrics
// that move with traffic and never carry phone numbers, and readiness that follows the broker.
import {
  DashboardClient,
  eventually,
  type OtlpReceiver,
  phoneIn,
  type ReceivedSpan,
  type Stack,
  startOtlpReceiver,
  startStack,
  TwilioWebhookSender,
  tempDir,
  zoneWithHour,
} from '../src/index.js';

const SHOP = 'observed.myshopify.com';
const NUMBER = '+14155550950';
const ZONE = zoneWithHour(9, 18);
const SERVICES = ['gateway', 'ingestion', 'subscriber', 'conversation', 'delivery', 'scheduler'] as const;
const phones: string[] = [];
const phone = (n: number) => {
  const p = phoneIn(ZONE, 9500 + n);
  phones.push(p);
  return p;
};

let receiver: OtlpReceiver;
let stack: Stack;
let twilio: TwilioWebhookSender;
let dashboard: DashboardClient;

const scrape = async (service: (typeof SERVICES)[number]) =>
  (await fetch(`http://127.0.0.1:${stack.opsPort(service)}/metrics`)).text();

/** The value of one sample (summed over the series matching all the given label pairs). */
function sample(metrics: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      total += Number(line.split(' ').at(-1));
  }
  return total;
}

/** Whether every span but one root has its parent among the spans. */
const isConnected = (spans: ReceivedSpan[]) => {
  const ids = new Set(spans.map((s) => s.spanId));
  return (
    spans.filter((s) => !s.parentSpanId).length === 1 &&
    spans.every((s) => !s.parentSpanId || ids.has(s.parentSpanId))
  );
};

/**
 * The trace holding a span that matches, once its spans from `services` have arrived and it is
 * whole (spans are exported in batches as they end: a parent can arrive after its children).
 */
async function traceWith(match: (s: ReceivedSpan) => boolean, services: string[]): Promise<ReceivedSpan[]> {
  return eventually(
    async () => {
      const root = receiver.spans.find(match);
      if (!root) return undefined;
      const spans = receiver.trace(root.traceId);
      const seen = new Set(spans.map((s) => s.service));
      return services.every((s) => seen.has(`sms-inbox-${s}`)) && isConnected(spans) ? spans : undefined;
    },
    20_000,
    `a trace across ${services.join(', ')}`,
  );
}

/** One connected trace: a single root, every other span's parent in the trace. */
function expectConnected(spans: ReceivedSpan[]) {
  const ids = new Set(spans.map((s) => s.spanId));
  const roots = spans.filter((s) => !s.parentSpanId);
  expect(roots).toHaveLength(1);
  expect(spans.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId))).toEqual([]);
}

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  stack = await startStack({
    dir: tempDir('e2e-observability'),
    logLevel: 'warn',
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      INBOUND_RECONCILE_INTERVAL_MS: '1000',
    },
  });
  twilio = new TwilioWebhookSender(stack);
  dashboard = await DashboardClient.forShop(stack, SHOP, 'sre-1');
  const res = await dashboard.request('PUT', '/v1/shop', {
    phoneNumber: NUMBER,
    keywords: ['JOIN'],
    timezone: ZONE,
  });
  expect(res.status).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
  await receiver?.stop();
});

describe('traces', () => {
  it('makes one inbound text one connected trace through ingestion, subscriber and conversation', async () => {
    const from = phone(1);
    await twilio.send({ from, to: NUMBER, body: 'JOIN' });
    await eventually(async () =>
      (await dashboard.get('/v1/inbox/summary')).status === 200 ? true : undefined,
    );
    const sid = `SM${'a'.repeat(31)}1`;
    expect((await twilio.send({ from, to: NUMBER, body: 'is my order late?', sid })).status).toBe(200);
    const spans = await traceWith(
      (s) =>
        s.name === 'publish ingestion.sms_received.v1' &&
        s.attributes['messaging.message.id'] === `sms:${sid}`,
      ['ingestion', 'subscriber', 'conversation'],
    );
    expectConnected(spans);
    expect(spans.find((s) => !s.parentSpanId)).toMatchObject({
      service: 'sms-inbox-ingestion',
      name: 'POST /webhooks/twilio/messages',
    });
    expect(spans.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'process ingestion.sms_received.v1',
        'publish subscriber.reply_received.v1',
        'process subscriber.reply_received.v1',
        'publish conversation.changed.v1',
      ]),
    );
  });

  it('makes one reply one trace through gateway, conversation and delivery to the Twilio call, with callbacks linked', async () => {
    const from = phone(2);
    await twilio.send({ from, to: NUMBER, body: 'JOIN' });
    await twilio.send({ from, to: NUMBER, body: 'hello?' });
    const c = await eventually(
      async () => (await dashboard.all(`/v1/conversations?q=${encodeURIComponent(from)}`))[0],
    );
    const res = await dashboard.request('POST', `/v1/conversations/${c.id}/replies`, {
      text: 'on its way',
      send: 'now',
    });
    expect(res.status).toBe(202);
    const spans = await traceWith(
      (s) => s.name === 'twilio messages.create' && s.attributes['sms_inbox.message_id'] === res.body.id,
      ['gateway', 'conversation', 'delivery'],
    );
    expectConnected(spans);
    expect(spans.find((s) => !s.parentSpanId)).toMatchObject({
      service: 'sms-inbox-gateway',
      name: 'POST /v1/conversations/:id/replies',
    });
    expect(spans.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'sms_inbox.conversation.v1.ConversationService/CreateReply',
        'publish conversation.send_requested.v1',
        'process conversation.send_requested.v1',
      ]),
    );
    // Twilio's status callbacks start traces of their own, linked to the provider call.
    const call = spans.find((s) => s.name === 'twilio messages.create')!;
    await eventually(async () =>
      receiver.spans.some(
        (s) =>
          s.name === 'process ingestion.delivery_status.v1' && s.links.some((l) => l.spanId === call.spanId),
      )
        ? true
        : undefined,
    );
  });

  it('never puts a phone number or a text into a span', async () => {
    const text = JSON.stringify(receiver.spans);
    for (const p of phones) {
      expect(text).not.toContain(p);
      expect(text).not.toContain(p.slice(1));
    }
    expect(text).not.toContain('is my order late?');
    expect(text).not.toContain('on its way');
  });
});

describe('metrics', () => {
  it('moves the named metrics of every service with traffic', async () => {
    const before = Object.fromEntries(
      await Promise.all(SERVICES.map(async (s) => [s, await scrape(s)] as const)),
    );
    const from = phone(3);
    await twilio.send({ from, to: NUMBER, body: 'JOIN' });
    await twilio.send({ from, to: NUMBER, body: 'question' });
    await twilio.send({ from, to: NUMBER, body: 'HELP' });
    const c = await eventually(
      async () => (await dashboard.all(`/v1/conversations?q=${encodeURIComponent(from)}`))[0],
    );
    const reply = await dashboard.request('POST', `/v1/conversations/${c.id}/replies`, {
      text: 'thanks',
      send: 'now',
    });
    await eventually(async () =>
      (await dashboard.all(`/v1/conversations/${c.id}/messages`)).find((m) => m.id === reply.body.id)
        ?.status === 'delivered'
        ? true
        : undefined,
    );
    const after = Object.fromEntries(
      await Promise.all(SERVICES.map(async (s) => [s, await scrape(s)] as const)),
    );
    const moved = (service: (typeof SERVICES)[number], name: string, labels: Record<string, string> = {}) =>
      sample(after[service]!, name, labels) - sample(before[service]!, name, labels);

    expect(
      moved('ingestion', 'sms_inbox_http_request_duration_seconds_count', {
        route: '/webhooks/twilio/messages',
      }),
    ).toBeGreaterThanOrEqual(3);
    expect(moved('subscriber', 'sms_inbox_inbound_classified_total')).toBeGreaterThanOrEqual(3);
    expect(moved('subscriber', 'sms_inbox_consent_changes_total', { to: 'active', source: 'keyword' })).toBe(
      1,
    );
    expect(moved('subscriber', 'sms_inbox_grpc_server_duration_seconds_count')).toBeGreaterThan(0);
    expect(moved('conversation', 'sms_inbox_replies_total', { send: 'now' })).toBe(1);
    expect(
      moved('conversation', 'sms_inbox_deliveries_total', { status: 'delivered' }),
    ).toBeGreaterThanOrEqual(1);
    expect(moved('conversation', 'sms_inbox_consumer_messages_total', { outcome: 'ok' })).toBeGreaterThan(0);
    expect(
      moved('delivery', 'sms_inbox_delivery_sends_total', { outcome: 'accepted' }),
    ).toBeGreaterThanOrEqual(3);
    expect(
      moved('gateway', 'sms_inbox_http_request_duration_seconds_count', {
        route: '/v1/conversations/:id/replies',
      }),
    ).toBe(1);
    expect(moved('gateway', 'sms_inbox_grpc_client_duration_seconds_count')).toBeGreaterThan(0);
    for (const s of SERVICES) {
      expect(sample(after[s]!, 'sms_inbox_process_cpu_seconds_total')).toBeGreaterThan(0);
    }
    expect(after.scheduler).toContain('sms_inbox_scheduler_jobs{state="overdue"}');
    expect(after.delivery).toMatch(
      /sms_inbox_consumer_pending_messages\{consumer="delivery-send-requested",state="pending"\} \d+/,
    );
  });

  it('has no label value that looks like a phone number', async () => {
    for (const s of SERVICES) {
      const metrics = await scrape(s);
      const values = [...metrics.matchAll(/="([^"]*)"/g)].map((m) => m[1]!);
      expect(
        values.filter((v) => /^\+?\d{10,15}$/.test(v) || phones.some((p) => v.includes(p.slice(2)))),
      ).toEqual([]);
    }
  });
});

describe('readiness', () => {
  it('fails within 10 s while NATS is down, recovers by itself, and loses no text', async () => {
    const from = phone(4);
    await twilio.send({ from, to: NUMBER, body: 'JOIN' });
    await twilio.send({ from, to: NUMBER, body: 'before the outage' });
    const c = await eventually(
      async () => (await dashboard.all(`/v1/conversations?q=${encodeURIComponent(from)}`))[0],
    );

    const ready = async (s: (typeof SERVICES)[number]) =>
      (await fetch(`http://127.0.0.1:${stack.opsPort(s)}/readyz`).catch(() => null))?.status === 200;
    const started = Date.now();
    await stack.nats!.down();
    try {
      await eventually(
        async () => ((await Promise.all(SERVICES.map(ready))).every((r) => !r) ? true : undefined),
        10_000,
      );
      expect(Date.now() - started).toBeLessThan(10_000);
      // Twilio gets a 5xx and does not retry; the text is in Twilio's Messages API.
      const during = await stack.twilio!.receive({ from, to: NUMBER, body: 'during the outage' });
      expect(during.webhookStatus).toBeGreaterThanOrEqual(500);
    } finally {
      await stack.nats!.up();
    }
    await eventually(
      async () => ((await Promise.all(SERVICES.map(ready))).every(Boolean) ? true : undefined),
      30_000,
    );
    await twilio.send({ from, to: NUMBER, body: 'after the outage' });
    const texts = await eventually(
      async () => {
        const list = (await dashboard.all(`/v1/conversations/${c.id}/messages`)).map((m) => m.text);
        return list.includes('during the outage') && list.includes('after the outage') ? list : undefined;
      },
      30_000,
      'the texts of and after the outage',
    );
    expect(texts.filter((t) => t === 'during the outage')).toHaveLength(1);
  }, 90_000);
});
