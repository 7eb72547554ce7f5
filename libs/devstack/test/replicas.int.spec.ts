// Two replicas of every service, as the chart runs them: one subscriber's texts, the merchant's
// replies and their status callbacks land on both conversation replicas at once, and the
// conversation still ends as its history says. Also the replicas themselves: one port per service
// whichever replica answers, and a SIGKILLed replica started again by its supervisor.
import {
  DashboardClient,
  eventually,
  type JsonBody,
  phoneIn,
  type Stack,
  startStack,
  tempDir,
  zoneWithHour,
} from '../src/index.js';

const SHOP = 'replicas.myshopify.com';
const NUMBER = '+14155550600';
const DAY_ZONE = zoneWithHour(10, 17);
const CUSTOMER = phoneIn(DAY_ZONE, 6001);
const TEXTS = 40;
const REPLIES = 40;

let stack: Stack;
let dashboard: DashboardClient;

beforeAll(async () => {
  stack = await startStack({ dir: tempDir('e2e-replicas'), replicas: 2, logLevel: 'warn' });
  dashboard = await DashboardClient.forShop(stack, SHOP, 'staff-r');
  const shop = await dashboard.request('PUT', '/v1/shop', {
    phoneNumber: NUMBER,
    keywords: ['JOIN'],
    timezone: DAY_ZONE,
  });
  expect(shop.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** `count` jobs, `workers` at a time. */
async function inParallel(count: number, workers: number, job: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

it('runs two processes of every service behind each service port', () => {
  for (const [name, proc] of stack.services) {
    expect({ name, replicas: proc.replicaPids().length }).toEqual({ name, replicas: 2 });
  }
});

it("keeps a conversation as its history says while one subscriber's texts, replies and status callbacks interleave across two replicas", async () => {
  const simulator = stack.twilio!;
  for (const body of ['JOIN', 'hello']) {
    expect((await simulator.receive({ from: CUSTOMER, to: NUMBER, body })).webhookStatus).toBe(200);
  }
  const { id } = await eventually(
    async () => (await dashboard.all(`/v1/conversations?q=${encodeURIComponent(CUSTOMER)}`))[0],
    30_000,
  );

  const replyIds: string[] = [];
  await Promise.all([
    inParallel(TEXTS, 4, async (i) => {
      const { webhookStatus } = await simulator.receive({ from: CUSTOMER, to: NUMBER, body: `text ${i}` });
      expect(webhookStatus).toBe(200);
    }),
    inParallel(REPLIES, 4, async (i) => {
      const res = await dashboard.request(
        'POST',
        `/v1/conversations/${id}/replies`,
        { text: `reply ${i}`, send: 'now' },
        { 'idempotency-key': `interleave-${i}` },
      );
      expect(res.status).toBe(202);
      replyIds.push(res.body.id);
    }),
  ]);

  // Every text and every reply once; every reply's status callbacks applied up to delivered.
  const history: JsonBody[] = await eventually(
    async () => {
      const all = await dashboard.all(`/v1/conversations/${id}/messages?limit=100`);
      const texts = all.filter((m: JsonBody) => m.direction === 'inbound' && m.text.startsWith('text '));
      const replies = all.filter((m: JsonBody) => m.direction === 'outbound');
      const done =
        texts.length >= TEXTS &&
        replies.length >= REPLIES &&
        replies.every((m: JsonBody) => m.status === 'delivered');
      return done ? all : undefined;
    },
    90_000,
    'every text in the history and every reply delivered',
  );
  const texts = history
    .filter((m) => m.direction === 'inbound' && m.text.startsWith('text '))
    .map((m) => m.text);
  expect([...texts].sort()).toEqual(Array.from({ length: TEXTS }, (_, i) => `text ${i}`).sort());
  expect(
    history
      .filter((m) => m.direction === 'outbound')
      .map((m) => m.id)
      .sort(),
  ).toEqual([...replyIds].sort());

  // The latest message decides: a customer's text → unresolved, a reply → resolved; the
  // conversation shows it as its last message; the red dot counts it.
  const latest = [...history]
    .filter((m) => !/^JOIN$/i.test(m.text))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
    .at(-1);
  const conversation = (await dashboard.request('GET', `/v1/conversations/${id}`)).body;
  expect({
    status: conversation.status,
    lastMessage: conversation.lastMessage.text,
    lastActivityAt: conversation.lastActivityAt,
  }).toEqual({
    status: latest.direction === 'inbound' ? 'unresolved' : 'resolved',
    lastMessage: latest.text,
    lastActivityAt: latest.createdAt,
  });
  const summary = await dashboard.request('GET', '/v1/inbox/summary');
  expect(summary.body).toEqual({ unresolved: conversation.status === 'unresolved' ? 1 : 0 });
}, 180_000);

it('starts a SIGKILLed replica again, and the service keeps answering meanwhile', async () => {
  const before = stack.services.get('gateway')!.replicaPids();
  const killed = stack.killReplica('gateway', 0);
  const answers: number[] = [];
  // A connection the killed replica held breaks (as a killed pod's does): asked again, it answers.
  const ask = () => dashboard.request('GET', '/v1/inbox/summary');
  while (answers.length < 20) {
    answers.push((await ask().catch(ask)).status);
  }
  await killed;
  const after = stack.services.get('gateway')!.replicaPids();
  expect(after).toHaveLength(2);
  expect(after).not.toContain(before[0]);
  expect(answers.every((s) => s === 200)).toBe(true);
});
