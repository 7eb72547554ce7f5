// The Twilio adapter with the real SDK over HTTP against the simulator.
import { startTwilioSimulator, type TwilioSimulator } from '@sms-inbox/devstack';
import { twilioProvider } from '../src/adapters/twilio.adapter.js';

const accountSid = 'AC11111111111111111111111111111111';
const authToken = 'simulator-token';
let sim: TwilioSimulator;

const sms = {
  to: '+14155550101',
  from: '+14155550100',
  body: 'Your order shipped',
  mediaUrls: [],
  statusCallback: 'http://127.0.0.1:9/status',
};

beforeAll(async () => {
  sim = await startTwilioSimulator({ accountSid, authToken, callbacks: false });
});

afterAll(async () => {
  await sim?.stop();
});

it('sends through the SDK to TWILIO_API_BASE_URL with the status callback', async () => {
  const provider = twilioProvider({ accountSid, authToken, baseUrl: sim.url });
  const result = await provider.send({ ...sms, mediaUrls: ['https://cdn.example.com/a.png'] });
  expect(result).toMatchObject({
    outcome: 'accepted',
    providerSid: expect.stringMatching(/^SM[0-9a-f]{32}$/),
    status: 'queued',
  });
  expect(sim.messages.at(-1)).toMatchObject({
    to: sms.to,
    from: sms.from,
    body: sms.body,
    mediaUrls: ['https://cdn.example.com/a.png'],
    statusCallback: sms.statusCallback,
  });
});

it.each([
  [{ status: 429, code: 20429 }, 'retry'],
  [{ status: 503, code: 20503 }, 'retry'],
  [{ status: 400, code: 21610 }, 'rejected'],
  [{ status: 400, code: 21211 }, 'rejected'],
] as const)('maps a %j answer to %s with the code', async (failure, outcome) => {
  const provider = twilioProvider({ accountSid, authToken, baseUrl: sim.url });
  sim.failNext(failure);
  const before = sim.messages.length;
  expect(await provider.send(sms)).toMatchObject({ outcome, code: failure.code, httpStatus: failure.status });
  expect(sim.messages.length).toBe(before);
});

it('treats a refused connection as worth retrying', async () => {
  const provider = twilioProvider({ accountSid, authToken, baseUrl: 'http://127.0.0.1:1' });
  expect(await provider.send(sms)).toMatchObject({ outcome: 'retry', httpStatus: null });
});

it('is refused with wrong credentials', async () => {
  const provider = twilioProvider({ accountSid, authToken: 'wrong', baseUrl: sim.url });
  expect(await provider.send(sms)).toMatchObject({ outcome: 'rejected', httpStatus: 401, code: 20003 });
});

it('reports an unknown outcome when Twilio takes the message but the answer times out, and then finds it', async () => {
  const provider = twilioProvider({ accountSid, authToken, baseUrl: sim.url, timeoutMs: 300 });
  const since = new Date(Date.now() - 5_000);
  const body = `timed out ${Date.now()}`;
  sim.holdNext(1_500);
  expect(await provider.send({ ...sms, body })).toMatchObject({ outcome: 'unknown' });
  const sid = await provider.findSent({ to: sms.to, from: sms.from, body, since });
  expect(sid).toBe(sim.messages.find((m) => m.body === body)?.sid);
});

it('finds no message that was never taken, nor one sent before the call', async () => {
  const provider = twilioProvider({ accountSid, authToken, baseUrl: sim.url });
  await provider.send({ ...sms, body: 'earlier' });
  expect(
    await provider.findSent({ to: sms.to, from: sms.from, body: 'never sent', since: new Date(0) }),
  ).toBeNull();
  expect(
    await provider.findSent({
      to: sms.to,
      from: sms.from,
      body: 'earlier',
      since: new Date(Date.now() + 60_000),
    }),
  ).toBeNull();
});

it("fetches a sent message's status, error code and price, and null for a sid Twilio does not have", async () => {
  const provider = twilioProvider({ accountSid, authToken, baseUrl: sim.url });
  sim.finishNext('undelivered', 1, { body: 'never arrives' });
  const sent = await provider.send({ ...sms, body: 'never arrives' });
  if (sent.outcome !== 'accepted') throw new Error(`not accepted: ${sent.outcome}`);
  const settled = await (async () => {
    for (let i = 0; i < 100; i++) {
      const found = await provider.fetchStatus(sent.providerSid);
      if (found?.status === 'undelivered') return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    return provider.fetchStatus(sent.providerSid);
  })();
  expect(settled).toEqual({ status: 'undelivered', errorCode: 30003, price: '-0.00790', priceUnit: 'USD' });
  expect(await provider.fetchStatus(`SM${'0'.repeat(32)}`)).toBeNull();
});
