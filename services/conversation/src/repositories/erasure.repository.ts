// Erasures this service has carried out (a customer's or a whole shop's), kept so that a write
// racing an erasure cannot bring erased data back: an erasure is recorded before it deletes, and
// a text appended meanwhile checks the record after it wrote (see AppendInboundReply). Keeps
// nothing of what it erased: a record is named by a hash of the shop (and subscriber id).
import { createHash } from 'node:crypto';
import type { Connection } from '@sms-inbox/mongo';
import { Schema } from 'mongoose';

export interface ErasureRecord {
  /** A hash of the shop's domain (a shop erasure) or of it and the subscriber id (a customer's). */
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

const keyOf = (shop: string, subscriberId: string | null) =>
  createHash('sha256')
    .update(subscriberId ? `erased|${shop}|${subscriberId}` : `erased|${shop}`)
    .digest('hex')
    .slice(0, 32);

/** An erasure that covers a subscriber: the whole shop's, or the customer's. */
export type Erasure = 'shop' | 'customer';

export class ErasureRepository {
  private readonly model;

  constructor(connection: Connection) {
    this.model = connection.model<ErasureRecord>('Erasure', erasureSchema, 'erasures');
  }

  /** Records an erasure of the shop (`subscriberId` null) or of one of its customers, at `at`. */
  async record(shop: string, subscriberId: string | null, at: Date): Promise<void> {
    await this.model.updateOne({ _id: keyOf(shop, subscriberId) }, { $max: { at } }, { upsert: true });
  }

  /**
   * The erasure that covers something of this subscriber from `since` (a shop's, or the
   * customer's, recorded at or after it), if any: by `_id`, two keys.
   */
  async covering(shop: string, subscriberId: string, since: Date): Promise<Erasure | null> {
    const shopKey = keyOf(shop, null);
    const found = await this.model
      .find({ _id: { $in: [shopKey, keyOf(shop, subscriberId)] }, at: { $gte: since } })
      .lean<ErasureRecord[]>()
      .exec();
    if (found.length === 0) return null;
    return found.some((e) => e._id === shopKey) ? 'shop' : 'customer';
  }
}
