// Crash drill of the foundation: while 500 signed webhooks are posted, the conversation service
// is killed with SIGKILL and started again. Every accepted webhook's message must end up in its
// conversation exactly once.
import {
  DashboardClient,
  eventually,
  type Stack,
  startStack,
  TwilioWebhookSender,
  tempDir,
} from '../src/index.js';

const SHOP = 'crash.myshopify.com';
const NUMBER = '+14155550300';
const SUBSCRIBERS = 50;
const WEBHOOKS = 500;
const phoneOf = (i: number) => `+1415555${String(1000 + (i % SUBSCRIBERS)).padStart(4, '0')}`;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    dir: tempDir('e2e-crash'),
    logLevel: 'warn',
    env: { NATS_ACK_WAIT_MS: '3000' },
  });
});

afterAll(async () => {
  await stack?.stop();
});

it('keeps each accepted inbound message exactly once when the conversation service is killed mid-burst', async () => {
  const twilio = new TwilioWebhookSender(stack);
  const dashboard = await DashboardClient.forShop(stack, SHOP);
  expect(
    (await dashboard.request('PUT', '/v1/shop', { phoneNumber: NUMBER, keywords: ['JOIN'] })).status,
  ).toBe(200);
  for (let i = 0; i < SUBSCRIBERS; i++) {
    expect((await twilio.send({ from: phoneOf(i), to: NUMBER, body: 'JOIN' })).status).toBe(200);
  }

  const accepted: string[] = [];
  let next = 0;
  let killed = false;
  let restarted: Promise<unknown> | undefined;
  const worker = async () => {
    while (next < WEBHOOKS) {
      const i = next++;
      const text = `burst message ${i}`;
      const res = await twilio.send({ from: phoneOf(i), to: NUMBER, body: text });
      if (res.status === 200) accepted.push(text);
      if (!killed && accepted.length >= WEBHOOKS / 5) {
        killed = true;
        await stack.services.get('conversation')!.kill();
        restarted = new Promise((r) => setTimeout(r, 1_000)).then(() => stack.startService('conversation'));
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  await restarted;
  expect(killed).toBe(true);
  // Ingestion does not depend on the conversation service: every webhook is accepted.
  expect(accepted).toHaveLength(WEBHOOKS);

  const texts = await eventually(
    async () => {
      const conversations = await dashboard.all('/v1/conversations?limit=100');
      const all: string[] = [];
      for (const c of conversations) {
        all.push(
          ...(await dashboard.all(`/v1/conversations/${c.id}/messages?limit=100`)).map(
            (m) => m.text as string,
          ),
        );
      }
      return all.length >= WEBHOOKS ? all : undefined;
    },
    90_000,
    'every accepted message in the inbox',
  );
  expect([...texts].sort()).toEqual([...accepted].sort());
});
