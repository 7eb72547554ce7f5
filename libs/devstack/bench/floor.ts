// The floor of the inbound path: the same hops as ingestion → subscriber → conversation, done by
// the cheapest code in one process (a raw JetStream publish and pull consumer per hop, the same
// document reads and writes with the bare MongoDB driver on the same FerretDB), so the report can
// show how much of our figure the broker and the database alone take.
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { MongoClient } from 'mongodb';
import { summary } from './stats.js';

/** Webhooks the floor handles at once (see measureFloor). */
const MAX_IN_FLIGHT = 256;

export async function measureFloor(options: {
  natsUrl: string;
  mongo: MongoClient;
  rate: number;
  seconds: number;
}) {
  const nc = await connect({ servers: options.natsUrl });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stream = `FLOOR_${options.rate}_${Date.now()}`;
  await jsm.streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.>`] });
  const subject = (hop: string) => `${stream.toLowerCase()}.${hop}`;
  const db = options.mongo.db(`bench_floor_${options.rate}`);
  const [receipts, phoneKeys, subscribers, conversations, messages] = [
    'receipts',
    'phone_keys',
    'subscribers',
    'conversations',
    'messages',
  ].map((c) => db.collection(c));
  const people = 200;
  await phoneKeys!.insertMany(
    Array.from({ length: people }, (_, i) => ({ _id: `k${i}` as never, subscriberId: `s${i}` })),
  );
  await subscribers!.insertMany(
    Array.from({ length: people }, (_, i) => ({ _id: `s${i}` as never, status: 'active' })),
  );
  await conversations!.insertMany(
    Array.from({ length: people }, (_, i) => ({
      _id: `c${i}` as never,
      status: 'unresolved',
      at: new Date(),
    })),
  );

  const done = new Map<number, number>();
  const sentAt = new Map<number, number>();
  const hop = async (name: string, work: (data: { seq: number; who: number }) => Promise<void>) => {
    await jsm.consumers.add(stream, {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      filter_subject: subject(name),
    });
    const consumer = await js.consumers.get(stream, name);
    const messagesIter = await consumer.consume({ max_messages: 64 });
    void (async () => {
      for await (const m of messagesIter) {
        // A failed hop is delivered again, as a service's consumer would have it.
        void work(m.json()).then(
          () => m.ack(),
          () => m.nak(1_000),
        );
      }
    })();
    return messagesIter;
  };
  const subs = [
    await hop('subscriber', async (d) => {
      await phoneKeys!.findOne({ _id: `k${d.who}` as never });
      await subscribers!.findOne({ _id: `s${d.who}` as never });
      await js.publish(subject('conversation'), JSON.stringify(d), { msgID: `c${d.seq}` });
    }),
    await hop('conversation', async (d) => {
      await conversations!.findOne({ _id: `c${d.who}` as never });
      await messages!.insertOne({ _id: `m${d.seq}` as never, conversationId: `c${d.who}`, at: new Date() });
      await conversations!.updateOne(
        { _id: `c${d.who}` as never },
        { $set: { at: new Date(), status: 'unresolved' } },
      );
      done.set(d.seq, Date.now());
      await js.publish(subject('changed'), JSON.stringify(d), { msgID: `x${d.seq}` });
    }),
  ];
  // The ingestion hop: receipt lookup, publish, receipt write, at the offered rate.
  let seq = 0;
  const end = Date.now() + options.seconds * 1000;
  const interval = 1000 / options.rate;
  const inFlight = new Set<Promise<void>>();
  let next = Date.now();
  while (Date.now() < end) {
    // At most MAX_IN_FLIGHT webhooks at once, as a server's connection limit would: past its
    // saturation the floor falls behind the offered rate instead of queueing without bound (at
    // 600/s the unbounded version stalled the whole run).
    if (inFlight.size >= MAX_IN_FLIGHT) {
      await Promise.race(inFlight);
      continue;
    }
    const s = ++seq;
    sentAt.set(s, Date.now());
    const work = (async () => {
      await receipts!.findOne({ _id: `r${s}` as never });
      await js.publish(subject('subscriber'), JSON.stringify({ seq: s, who: s % people }), {
        msgID: `s${s}`,
      });
      await receipts!.insertOne({ _id: `r${s}` as never, at: new Date() });
    })().finally(() => inFlight.delete(work));
    inFlight.add(work);
    next += interval;
    const wait = next - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.allSettled([...inFlight]);
  const deadline = Date.now() + 120_000;
  while (done.size < seq && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  for (const s of subs) await s.close();
  await jsm.streams.delete(stream);
  await nc.close();
  await db.dropDatabase();
  const latencies = [...done].map(([s, t]) => t - sentAt.get(s)!);
  const first = Math.min(...sentAt.values());
  const last = Math.max(...done.values());
  return {
    rate: options.rate,
    sent: seq,
    done: done.size,
    throughputPerSecond: Math.round((done.size / ((last - first) / 1000)) * 10) / 10,
    latencyMs: summary(latencies),
  };
}
