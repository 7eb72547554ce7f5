import { SendsFirst } from './sends-first.js';

/** A send held open until `finish` is called; `pace` starts its idle wait, which `paced` ends. */
function openSend(gate: SendsFirst) {
  let finish!: () => void;
  let paced!: () => void;
  let pace!: () => void;
  const pacing = new Promise<void>((r) => {
    pace = r;
  });
  const done = gate.sending(async (idle) => {
    await pacing;
    await idle(() => new Promise<void>((r) => (paced = r)));
    await new Promise<void>((r) => (finish = r));
  });
  return {
    done,
    /** Moves the send into its pacing wait. */
    toPacing: async () => {
      pace();
      await settle();
    },
    /** Ends its pacing wait: worked on again. */
    fromPacing: async () => {
      paced();
      await settle();
    },
    finish: async () => {
      finish();
      await done;
    },
  };
}

const settle = () => new Promise((r) => setImmediate(r));

/** Whether `promise` settled within a turn of the event loop. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await settle();
  return done;
}

it('lets a status report through at once while fewer sends than the threshold are worked on', async () => {
  const gate = new SendsFirst({ busyAt: 2, maxWaitMs: 60_000 });
  const one = openSend(gate);
  expect(await settled(gate.turn())).toBe(true);
  await one.toPacing();
  await one.fromPacing();
  await one.finish();
});

it('holds status reports while the sends are busy, and lets them all through once they thin out', async () => {
  const gate = new SendsFirst({ busyAt: 2, maxWaitMs: 60_000 });
  const a = openSend(gate);
  const b = openSend(gate);
  const first = gate.turn();
  const second = gate.turn();
  expect(await settled(first)).toBe(false);
  await a.toPacing();
  await a.fromPacing();
  await a.finish();
  expect(await settled(Promise.all([first, second]))).toBe(true);
  await b.toPacing();
  await b.fromPacing();
  await b.finish();
});

it('does not count a send waiting for its pacing slot as busy', async () => {
  const gate = new SendsFirst({ busyAt: 2, maxWaitMs: 60_000 });
  const a = openSend(gate);
  const b = openSend(gate);
  const held = gate.turn();
  expect(await settled(held)).toBe(false);
  await a.toPacing();
  expect(await settled(held)).toBe(true);
  // Back at work: busy again.
  await a.fromPacing();
  expect(await settled(gate.turn())).toBe(false);
  await a.finish();
  await b.toPacing();
  await b.fromPacing();
  await b.finish();
});

it('lets a report through after the longest wait even while the sends stay busy, and never waits with 0', async () => {
  const gate = new SendsFirst({ busyAt: 1, maxWaitMs: 50 });
  const a = openSend(gate);
  const started = Date.now();
  await gate.turn();
  expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  const never = new SendsFirst({ busyAt: 1, maxWaitMs: 0 });
  const b = openSend(never);
  expect(await settled(never.turn())).toBe(true);
  for (const send of [a, b]) {
    await send.toPacing();
    await send.fromPacing();
    await send.finish();
  }
});
