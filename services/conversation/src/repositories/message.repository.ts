// Messages of conversations. Each has a dedupe key (inbound: the provider's MessageSid), unique
// per shop, which makes "one inbound SMS → exactly one message" hold under redelivery.
import { createHash } from 'node:crypto';
import { BatchedInserts, type Connection, isDuplicateKey, KeyedReads } from '@sms-inbox/mongo';
import type { OutboundStatus } from '@sms-inbox/platform';
import { Schema } from 'mongoose';

/**
 * A message's id, derived from its shop and dedupe key ("in:<MessageSid>", "out:key:<Idempotency-Key>"):
 * the same text or request always names the same message, so a redelivered text or a retried
 * request finds it by `_id` before anything is written.
 */
export const messageIdFor = (shop: string, dedupeKey: string) =>
  createHash('sha256').update(`${shop}|${dedupeKey}`).digest('hex').slice(0, 24);

export type MessageStatus =
  | 'received'
  | 'scheduled'
  | 'queued'
  | 'sent'
  | 'delivered'
  | 'undelivered'
  | 'failed'
  | 'canceled';

export interface MessageRecord {
  _id: string;
  shop: string;
  conversationId: string;
  dedupeKey: string;
  direction: 'inbound' | 'outbound';
  text: string;
  mediaUrls: string[];
  discountCode: string | null;
  status: MessageStatus;
  createdAt: Date;
  /** When this service appended it: orders conversations for stable paging. */
  recordedAt: Date;
  scheduledFor: Date | null;
  sentAt: Date | null;
  quietHoursOverride: boolean;
  /** Outbound: a hash of the reply request, to tell a retry from another request with the same key. */
  requestHash?: string;
  /** Outbound: the merchant user who sent it. */
  sentBy?: string;
  /** Outbound: the provider's id and error code once known. */
  providerSid?: string | null;
  errorCode?: number | null;
}

const messageSchema = new Schema<MessageRecord>(
  {
    _id: { type: String, required: true },
    shop: { type: String, required: true },
    conversationId: { type: String, required: true },
    dedupeKey: { type: String, required: true },
    direction: { type: String, required: true },
    text: { type: String, default: '' },
    mediaUrls: { type: [String], default: [] },
    discountCode: { type: String, default: null },
    status: { type: String, required: true },
    createdAt: { type: Date, required: true },
    recordedAt: { type: Date, required: true },
    scheduledFor: { type: Date, default: null },
    sentAt: { type: Date, default: null },
    quietHoursOverride: { type: Boolean, default: false },
    requestHash: { type: String },
    sentBy: { type: String },
    providerSid: { type: String, default: null },
    errorCode: { type: Number, default: null },
  },
  { versionKey: false, minimize: false },
);
// Makes each inbound SMS (and each idempotent reply) one message only.
messageSchema.index({ shop: 1, dedupeKey: 1 }, { unique: true });
// Serves a conversation's history, oldest first.
messageSchema.index({ shop: 1, conversationId: 1, createdAt: 1, _id: 1 });

export class MessageRepository {
  private readonly model;
  /** Reads by `_id` and inserts of concurrent handlers, one command each (every text and reply). */
  private readonly byId;
  private readonly inserts;
  constructor(connection: Connection) {
    this.model = connection.model<MessageRecord>('Message', messageSchema, 'messages');
    this.byId = new KeyedReads<MessageRecord>(this.model.collection);
    this.inserts = new BatchedInserts<MessageRecord>(this.model);
  }

  async init(): Promise<void> {
    await this.model.createIndexes();
  }

  /** By the id the key names, else by the key itself (a message stored before ids followed from keys). */
  async findByDedupeKey(shop: string, dedupeKey: string): Promise<MessageRecord | null> {
    return (
      (await this.findById(shop, messageIdFor(shop, dedupeKey))) ??
      this.model.findOne({ shop, dedupeKey }).lean<MessageRecord>().exec()
    );
  }

  /** Within the shop, so another shop's id is simply not found. */
  findById(shop: string, id: string): Promise<MessageRecord | null> {
    return this.byId.find(id, shop);
  }

  /** Sets a delivery status (the caller decided it is newer) with what came with it. */
  async setDelivery(
    id: string,
    fields: Pick<MessageRecord, 'status'> & Partial<MessageRecord>,
  ): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: fields });
  }

  /**
   * Moves a message from any of the statuses `from` to `fields.status`, in one conditional write
   * that answers the message as moved (null when it was in none of them, or `sentAt` was not as
   * `sent` asks: stored, or missing). Right with any number of replicas, without a read first.
   */
  async moveFrom(
    shop: string,
    id: string,
    from: readonly OutboundStatus[],
    fields: Pick<MessageRecord, 'status'> & Partial<MessageRecord>,
    sent?: 'stored' | 'missing',
  ): Promise<MessageRecord | null> {
    const filter: Record<string, unknown> = { _id: id, shop, status: { $in: from } };
    if (sent) filter.sentAt = sent === 'stored' ? { $ne: null } : null;
    return this.model
      .findOneAndUpdate(filter, { $set: fields }, { returnDocument: 'after' })
      .lean<MessageRecord>()
      .exec();
  }

  /** Moves a message from status `from` (e.g. scheduled → queued); false when it was not `from`. */
  async transition(
    id: string,
    from: MessageStatus,
    fields: Pick<MessageRecord, 'status'> & Partial<MessageRecord>,
  ): Promise<boolean> {
    // One conditional write: the status it moves from is in the filter.
    const res = await this.model.updateOne({ _id: id, status: from }, { $set: fields });
    return res.matchedCount === 1;
  }

  /** Inserts the message; false when its `_id` (its shop and dedupe key) is stored already. */
  async insertIfNew(doc: MessageRecord): Promise<boolean> {
    try {
      await this.inserts.insert(doc);
      return true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return false;
    }
  }

  /** Inserts the message unless its dedupe key exists; returns the stored one either way. */
  async insertOnce(doc: MessageRecord): Promise<MessageRecord> {
    if (await this.insertIfNew(doc)) return doc;
    return (await this.findByDedupeKey(doc.shop, doc.dedupeKey))!;
  }

  /** A conversation's history, oldest first, after the keyset cursor. */
  listInConversation(shop: string, conversationId: string, limit: number, after?: { at: Date; id: string }) {
    const filter: Record<string, unknown> = { shop, conversationId };
    if (after) {
      filter.$or = [{ createdAt: { $gt: after.at } }, { createdAt: after.at, _id: { $gt: after.id } }];
    }
    return this.model.find(filter).sort({ createdAt: 1, _id: 1 }).limit(limit).lean<MessageRecord[]>().exec();
  }

  /**
   * For each conversation, the touch time of its messages it had as of `snapshot`, counting only
   * those recorded at or before `settled` when there are any (a later one may have landed after the
   * snapshot was read), else its first one recorded at or before `snapshot`. Absent: none.
   */
  async touchedAsOf(
    shop: string,
    conversationIds: string[],
    settled: Date,
    snapshot: Date,
  ): Promise<Map<string, Date>> {
    const latest = new Map<string, Date>();
    const first = new Map<string, Date>();
    if (conversationIds.length === 0) return latest;
    const docs = await this.model
      .find(
        { shop, conversationId: { $in: conversationIds }, recordedAt: { $lte: snapshot } },
        { conversationId: 1, recordedAt: 1 },
      )
      .lean<Array<Pick<MessageRecord, 'conversationId' | 'recordedAt'>>>()
      .exec();
    for (const d of docs) {
      const at = new Date(d.recordedAt);
      const kept = at <= settled ? latest : first;
      const seen = kept.get(d.conversationId);
      if (!seen || (kept === latest ? seen < at : seen > at)) kept.set(d.conversationId, at);
    }
    for (const [id, at] of first) if (!latest.has(id)) latest.set(id, at);
    return latest;
  }

  async deleteConversation(shop: string, conversationId: string): Promise<void> {
    await this.model.deleteMany({ shop, conversationId });
  }

  async deleteShop(shop: string): Promise<void> {
    await this.model.deleteMany({ shop });
  }

  countInConversation(shop: string, conversationId: string): Promise<number> {
    return this.model.countDocuments({ shop, conversationId }).exec();
  }
}
