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

/** A gate made busy by two sends, and a status report it holds. */
async function heldByTwo() {
  const gate = new SendsFirst({ busyAt: 2, maxWaitMs: 60_000 });
  const a = openSend(gate);
  const b = openSend(gate);
  const held = gate.turn();
  expect(await settled(held)).toBe(false);
  return { gate, a, b, held };
}

/** Takes each send through its pacing wait and ends it. */
async function complete(...sends: Array<ReturnType<typeof openSend>>) {
  for (const send of sends) {
    await send.toPacing();
    await send.fromPacing();
    await send.finish();
  }
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
  await complete(one);
});

it('holds status reports while the sends are busy, and lets them all through once they thin out', async () => {
  const { gate, a, b, held: first } = await heldByTwo();
  const second = gate.turn();
  await complete(a);
  expect(await settled(Promise.all([first, second]))).toBe(true);
  await complete(b);
});

it('does not count a send waiting for its pacing slot as busy', async () => {
  const { gate, a, b, held } = await heldByTwo();
  await a.toPacing();
  expect(await settled(held)).toBe(true);
  // Back at work: busy again.
  await a.fromPacing();
  expect(await settled(gate.turn())).toBe(false);
  await a.finish();
  await complete(b);
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
  await complete(a, b);
});
