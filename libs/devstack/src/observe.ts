// Looking inside a running stack the way an operator would: the events on the bus and the
// documents in the databases. Tests use it to check what the public API cannot show.

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { type Codec, Events, type subscriberV1 } from '@sms-inbox/contracts';
import mongoose from 'mongoose';

/** Every message on `subject` in `stream`, decoded, oldest first. */
export async function eventsOn<T>(
  natsUrl: string,
  event: { stream: string; subject: string; codec: Codec<T> },
): Promise<T[]> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(event.stream);
    const out: T[] = [];
    if (info.state.messages === 0) return out;
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(event.stream, { seq }).catch(() => null);
      if (m && m.subject === event.subject) out.push(event.codec.decode(m.data));
    }
    return out;
  } finally {
    await nc.close();
  }
}

/** The auto-replies (confirmations, HELP) that delivery has been asked to send. */
export const autoReplyRequests = (natsUrl: string): Promise<subscriberV1.AutoReplyRequested[]> =>
  eventsOn(natsUrl, Events.autoReplyRequested);

/** Every database, collection and document that contains `needle` anywhere in its JSON. */
export async function findEverywhere(mongoUri: string, needles: string[]): Promise<string[]> {
  const connection = await mongoose
    .createConnection(mongoUri, { serverSelectionTimeoutMS: 5_000 })
    .asPromise();
  try {
    const hits: string[] = [];
    const { databases } = await connection.db!.admin().listDatabases();
    for (const { name } of databases) {
      const db = connection.useDb(name, { useCache: false }).db!;
      for (const { name: collection } of await db.listCollections().toArray()) {
        for await (const doc of db.collection(collection).find({})) {
          const text = JSON.stringify(doc);
          for (const needle of needles)
            if (text.includes(needle)) hits.push(`${name}.${collection}: ${needle}`);
        }
      }
    }
    return hits;
  } finally {
    await connection.close();
  }
}

/** Documents in one collection of one database. */
export async function countDocuments(
  mongoUri: string,
  database: string,
  collection: string,
): Promise<number> {
  const connection = await mongoose
    .createConnection(mongoUri, { serverSelectionTimeoutMS: 5_000 })
    .asPromise();
  try {
    return await connection
      .useDb(database, { useCache: false })
      .db!.collection(collection)
      .countDocuments({});
  } finally {
    await connection.close();
  }
}

/**
 * Publishes `message` again under a new Nats-Msg-Id: what the broker does when an ack is lost,
 * forced, so tests can check that consumers are idempotent.
 */
export async function publishAgain<T>(
  natsUrl: string,
  event: { subject: string; codec: Codec<T> },
  message: T,
): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const js = jetstream(nc);
    await js.publish(event.subject, event.codec.encode(message).finish(), {
      msgID: `again:${Date.now()}:${Math.random()}`,
    });
  } finally {
    await nc.close();
  }
}
