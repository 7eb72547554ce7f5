// Erasures a service has carried out (a customer's or a whole shop's), kept so that a write racing
// an erasure cannot bring erased data back: an erasure is recorded before it deletes, and a write
// made meanwhile checks the log after it landed (`covering`) and erases again when it finds one.
// Each service keeps its own log in its own database. It keeps nothing of what it erased: a record
// is named by a hash of the shop (and of the subject: a subscriber id, a party hash).
import { createHash } from 'node:crypto';
import { type Connection, Schema } from 'mongoose';
import { KeyedReads } from './batching.js';

export interface ErasureRecord {
  /** A hash of the shop's domain (a shop erasure) or of it and the subject (a customer's). */
  _id: string;
  /** When this service erased (the latest time, if asked again). */
  at: Date;
}

const erasureSchema = new Schema<ErasureRecord>(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

const keyOf = (shop: string, subject: string | null) =>
  createHash('sha256')
    .update(subject ? `erased|${shop}|${subject}` : `erased|${shop}`)
    .digest('hex')
    .slice(0, 32);

/** An erasure that covers a subject: the whole shop's, or the customer's. */
export type Erasure = 'shop' | 'customer';

export class ErasureLog {
  private readonly model;
  /** Every text checks the log: the checks of concurrent texts go as one read. */
  private readonly byKey;

  constructor(connection: Connection) {
    this.model = connection.model<ErasureRecord>('Erasure', erasureSchema, 'erasures');
    this.byKey = new KeyedReads<ErasureRecord>(this.model.collection);
  }

  /** Records an erasure of the shop (`subject` null) or of one of its customers, at `at`. */
  async record(shop: string, subject: string | null, at: Date): Promise<void> {
    await this.model.updateOne({ _id: keyOf(shop, subject) }, { $max: { at } }, { upsert: true });
  }

  /**
   * The erasure that covers this subject (or, `subject` null, the shop) from `since`: the shop's,
   * or the customer's, recorded at or after it, if any. By `_id`, one or two keys.
   */
  async covering(shop: string, subject: string | null, since: Date): Promise<Erasure | null> {
    const shopKey = keyOf(shop, null);
    const keys = subject ? [shopKey, keyOf(shop, subject)] : [shopKey];
    const found = (await Promise.all(keys.map((key) => this.byKey.find(key)))).filter(
      (e): e is ErasureRecord => e !== null && new Date(e.at) >= since,
    );
    if (found.length === 0) return null;
    return found.some((e) => e._id === shopKey) ? 'shop' : 'customer';
  }
}
