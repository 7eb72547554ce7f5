// The bus against a real nats-server with JetStream (its own port and store directory).

import type { NatsServer } from '@sms-inbox/devstack';
import { startNats } from '@sms-inbox/devstack';
import { createLogger } from '@sms-inbox/platform';
import { type Bus, connectBus, type EventType, PermanentError } from '../src/index.js';

interface Ping {
  n: number;
}
const codec = {
  encode: (m: Ping) => ({ finish: () => new TextEncoder().encode(JSON.stringify(m)) }),
  decode: (b: Uint8Array): Ping => {
    const value = JSON.parse(new TextDecoder().decode(b)) as Ping;
    if (typeof value.n !== 'number') throw new Error('not a ping');
    return value;
  },
};

let nats: NatsServer;
let bus: Bus;
let streamCounter = 0;
const logger = createLogger('bus-test', 'silent');

/** Every test gets its own stream and subject. */
function freshEvent(): EventType<Ping> {
  streamCounter += 1;
  return { stream: `TEST_${streamCounter}`, subject: `test${streamCounter}.ping.v1`, codec };
}

async function deadLetters(durable: string): Promise<Array<{ data: string; error: string | undefined }>> {
  const { jetstream } = await import('@nats-io/jetstream');
  const js = jetstream(bus.connection);
  const out: Array<{ data: string; error: string | undefined }> = [];
  const info = await (await import('@nats-io/jetstream'))
    .jetstreamManager(bus.connection)
    .then((m) => m.streams.info('DEAD_LETTER'));
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await js.streams.get('DEAD_LETTER').then((s) => s.getMessage({ seq }));
    if (m && m.subject === `dlq.${durable}`)
      out.push({ data: m.string(), error: m.header?.get('Dlq-Error') });
  }
  return out;
}

const waitFor = async (predicate: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

beforeAll(async () => {
  nats = await startNats();
  bus = await connectBus({ url: nats.url, name: 'bus-test', logger });
});

afterAll(async () => {
  await bus?.close();
  await nats?.stop();
});

describe('bus', () => {
  it('drops a second publish with the same Nats-Msg-Id', async () => {
    const event = freshEvent();
    await bus.ensureStreams([{ name: event.stream, subjects: [event.subject] }]);
    const first = await bus.publish(event, { n: 1 }, { msgId: 'same' });
    const second = await bus.publish(event, { n: 1 }, { msgId: 'same' });
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    expect(second.seq).toBe(first.seq);
  });

  it('declares streams idempotently', async () => {
    const event = freshEvent();
    const spec = { name: event.stream, subjects: [event.subject] };
    await bus.ensureStreams([spec]);
    await expect(bus.ensureStreams([spec])).resolves.toBeUndefined();
  });

  it('delivers each message to a durable consumer and acks it after the handler succeeds', async () => {
    const event = freshEvent();
    await bus.ensureStreams([{ name: event.stream, subjects: [event.subject] }]);
    for (let n = 0; n < 20; n++) await bus.publish(event, { n }, { msgId: `m${n}` });
    const seen: number[] = [];
    const handle = await bus.consume({ event, durable: `ok-${event.stream}` }, async (m) => {
      seen.push(m.n);
    });
    await waitFor(() => seen.length === 20);
    await handle.drain();
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // Acked: a new consumer loop on the same durable gets nothing again.
    const again: number[] = [];
    const second = await bus.consume({ event, durable: `ok-${event.stream}` }, async (m) => {
      again.push(m.n);
    });
    await new Promise((r) => setTimeout(r, 500));
    await second.drain();
    expect(again).toEqual([]);
  });

  it('acknowledges unhandled a report that a later one of the same key supersedes, and handles the rest, waiting ones last', async () => {
    // Ping n: key n / 10, rank n % 10; ranks below 5 are steps a higher rank supersedes.
    const event = freshEvent();
    await bus.ensureStreams([{ name: event.stream, subjects: [event.subject] }]);
    for (const n of [11, 12, 21, 15, 35, 31]) await bus.publish(event, { n }, { msgId: `m${n}` });
    const seen: number[] = [];
    const spec = {
      event,
      durable: `supersede-${event.stream}`,
      concurrency: 1,
      orderingKey: (m: Ping) => String(Math.floor(m.n / 10)),
      supersede: {
        waitMs: 1_500,
        mayBeSuperseded: (m: Ping) => m.n % 10 < 5,
        supersedes: (later: Ping, earlier: Ping) => later.n % 10 > earlier.n % 10,
      },
    };
    const handle = await bus.consume(spec, async (m) => {
      seen.push(m.n);
    });
    await waitFor(() => seen.length === 4);
    await handle.drain();
    // 11 and 12 were superseded by 15; 21 and 31 waited for nothing (without holding the one
    // slot), then ran; 31 came after the final 35 of its key, which it does not supersede.
    expect([...seen].sort()).toEqual([15, 21, 31, 35]);
    expect(seen.slice(0, 2).sort()).toEqual([15, 35]);
    const again: number[] = [];
    const second = await bus.consume(spec, async (m) => {
      again.push(m.n);
    });
    await new Promise((r) => setTimeout(r, 500));
    await second.drain();
    expect(again).toEqual([]);
  });

  it('redelivers a failed message with backoff, then dead-letters it after maxDeliver', async () => {
    const event = freshEvent();
    await bus.ensureStreams([{ name: event.stream, subjects: [event.subject] }]);
    const attempts: number[] = [];
    const durable = `fail-${event.stream}`;
    const handle = await bus.consume(
      { event, durable, maxDeliver: 3, backoffMs: [100, 200] },
      async (_m, d) => {
        attempts.push(d.deliveryCount);
        throw new Error('still broken');
      },
    );
    await bus.publish(event, { n: 7 }, { msgId: 'x' });
    await waitFor(() => attempts.length === 3);
    await new Promise((r) => setTimeout(r, 500));
    await handle.drain();
    expect(attempts).toEqual([1, 2, 3]);
    const dead = await deadLetters(durable);
    expect(dead).toEqual([{ data: JSON.stringify({ n: 7 }), error: 'still broken' }]);
  });

  it('dead-letters at once a message the handler calls permanent, and one that does not decode', async () => {
    const event = freshEvent();
    await bus.ensureStreams([{ name: event.stream, subjects: [event.subject] }]);
    const attempts: number[] = [];
    const durable = `perm-${event.stream}`;
    const handle = await bus.consume({ event, durable, maxDeliver: 5 }, async (m) => {
      attempts.push(m.n);
      throw new PermanentError('cannot ever work');
    });
    await bus.publish(event, { n: 1 }, { msgId: 'p1' });
    await bus.connection.publish(event.subject, new TextEncoder().encode('{"nope":true}'));
    await waitFor(() => attempts.length === 1);
    await new Promise((r) => setTimeout(r, 500));
    await handle.drain();
    const dead = await deadLetters(durable);
    expect(attempts).toEqual([1]);
    expect(dead.map((d) => d.data)).toEqual([JSON.stringify({ n: 1 }), '{"nope":true}']);
  });

  it('gives a pinned consumer to one replica at a time, and hands it over at once on a graceful stop', async () => {
    const event = freshEvent();
    await bus.ensureStreams([{ name: event.stream, subjects: [event.subject] }]);
    const replicas = await Promise.all(
      ['a', 'b'].map((name) => connectBus({ url: nats.url, name: `replica-${name}`, logger })),
    );
    const seen: Array<{ replica: number; n: number }> = [];
    const durable = `pinned-${event.stream}`;
    const handles = await Promise.all(
      replicas.map((replica, i) =>
        replica.consume({ event, durable, pinned: true, orderingKey: () => 'one key' }, async (m) => {
          seen.push({ replica: i, n: m.n });
        }),
      ),
    );
    for (let n = 0; n < 40; n++) await bus.publish(event, { n }, { msgId: `p${n}` });
    await waitFor(() => seen.length === 40);
    const first = seen[0]!.replica;
    expect(seen).toEqual(Array.from({ length: 40 }, (_, n) => ({ replica: first, n })));

    // The pinned replica stops gracefully: the other takes the next messages well within the
    // pin's timeout (the ack wait and 2 s).
    await handles[first]!.drain();
    const handedAt = Date.now();
    for (let n = 40; n < 50; n++) await bus.publish(event, { n }, { msgId: `p${n}` });
    await waitFor(() => seen.length === 50);
    expect(Date.now() - handedAt).toBeLessThan(5_000);
    expect(seen.slice(40)).toEqual(Array.from({ length: 10 }, (_, i) => ({ replica: 1 - first, n: 40 + i })));
    await handles[1 - first]!.drain();
    await Promise.all(replicas.map((r) => r.close()));
  });

  it('moves the pin of a dead replica on, redelivering what it held before newer messages', async () => {
    const event = freshEvent();
    await bus.ensureStreams([{ name: event.stream, subjects: [event.subject] }]);
    const durable = `pinned-crash-${event.stream}`;
    const spec = { event, durable, pinned: true, ackWaitMs: 1_000, orderingKey: () => 'one key' };
    const doomed = await connectBus({ url: nats.url, name: 'doomed', logger });
    let release = () => {};
    const stuck = new Promise<void>((r) => {
      release = r;
    });
    const doomedSaw: number[] = [];
    await doomed.consume(spec, async (m) => {
      doomedSaw.push(m.n);
      await stuck;
    });
    await bus.publish(event, { n: 0 }, { msgId: 'c0' });
    await bus.publish(event, { n: 1 }, { msgId: 'c1' });
    await waitFor(() => doomedSaw.length === 1);

    const survivor = await connectBus({ url: nats.url, name: 'survivor', logger });
    const survivorSaw: number[] = [];
    const handle = await survivor.consume(spec, async (m) => {
      survivorSaw.push(m.n);
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(survivorSaw).toEqual([]);
    // The pinned replica dies holding 0 (running) and 1 (waiting behind it); 2 and 3 come later.
    await doomed.connection.close();
    await bus.publish(event, { n: 2 }, { msgId: 'c2' });
    await bus.publish(event, { n: 3 }, { msgId: 'c3' });
    await waitFor(() => survivorSaw.length >= 4, 15_000);
    expect(survivorSaw).toEqual([0, 1, 2, 3]);
    release();
    await handle.drain();
    await survivor.close();
  });

  it('keeps published messages across a broker restart and resumes consuming', async () => {
    const event = freshEvent();
    await bus.ensureStreams([{ name: event.stream, subjects: [event.subject] }]);
    const seen = new Set<number>();
    const handle = await bus.consume({ event, durable: `restart-${event.stream}` }, async (m) => {
      seen.add(m.n);
    });
    await bus.publish(event, { n: 1 }, { msgId: 'r1' });
    await waitFor(() => seen.has(1));
    await nats.restart();
    await waitFor(() => bus.isReady(), 20_000);
    await bus.publish(event, { n: 2 }, { msgId: 'r2' });
    await waitFor(() => seen.has(2), 20_000);
    await handle.drain();
    expect([...seen].sort()).toEqual([1, 2]);
  });
});
