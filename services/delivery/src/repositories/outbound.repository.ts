// The outbound ledger: one document per outbound text (a reply, keyed by its message id; an
// automatic answer, keyed by "auto:" + its request id), recording what was asked of the
// provider and what came back. It is what makes a redelivered send request harmless: a text
// the ledger shows as attempted is never sent again without asking the provider first.
import { type Connection, isDuplicateKey } from '@sms-inbox/mongo';
import { Schema } from 'mongoose';

export type OutboundState = 'calling' | 'accepted' | 'failed' | 'canceled' | 'retrying';

export interface OutboundRecord {
  _id: string;
  shop: string;
  /** Empty for automatic texts, which belong to no conversation. */
  conversationId: string;
  /** Empty for a HELP answer to a number that is not a subscriber. */
  subscriberId: string;
  to: string;
  /** The sending number used for the provider call (how an unknown outcome is looked up). */
  from: string | null;
  state: OutboundState;
  providerSid: string | null;
  errorCode: number | null;
  /** The last attempt may have reached Twilio (5xx): ask Twilio before the next one. */
  uncertain: boolean;
  /** "<trace id>-<span id>" of the accepted provider call, which status callbacks link to. */
  sendTrace?: string | null;
  attempts: number;
  calledAt: Date | null;
  updatedAt: Date;
}

const outboundSchema = new Schema<OutboundRecord>(
  {
    _id: { type: String, required: true },
    shop: { type: String, required: true },
    conversationId: { type: String, default: '' },
    subscriberId: { type: String, default: '' },
    to: { type: String, required: true },
    from: { type: String, default: null },
    state: { type: String, required: true },
    providerSid: { type: String, default: null },
    errorCode: { type: Number, default: null },
    attempts: { type: Number, default: 0 },
    uncertain: { type: Boolean, default: false },
    sendTrace: { type: String, default: null },
    calledAt: { type: Date, default: null },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

/** provider sid → message id, keyed by `_id` so a status callback finds its message directly. */
interface ProviderSid {
  _id: string;
  messageId: string;
}

const providerSidSchema = new Schema<ProviderSid>(
  { _id: { type: String, required: true }, messageId: { type: String, required: true } },
  { versionKey: false },
);

export class OutboundRepository {
  private readonly model;
  private readonly providerSids;

  constructor(connection: Connection) {
    this.model = connection.model<OutboundRecord>('Outbound', outboundSchema, 'outbound');
    this.providerSids = connection.model<ProviderSid>('ProviderSid', providerSidSchema, 'provider_sids');
  }

  /** Remembers which message a provider sid belongs to (once). */
  async linkProviderSid(providerSid: string, messageId: string): Promise<void> {
    try {
      await this.providerSids.create({ _id: providerSid, messageId });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  async findByProviderSid(providerSid: string): Promise<OutboundRecord | null> {
    const link = await this.providerSids.findById(providerSid).lean<ProviderSid>().exec();
    return link ? this.find(link.messageId) : null;
  }

  async init(): Promise<void> {
    await this.model.createIndexes();
  }

  find(id: string): Promise<OutboundRecord | null> {
    return this.model.findById(id).lean<OutboundRecord>().exec();
  }

  /** Claims the first attempt; false when the message already has a ledger entry. */
  async claim(record: Omit<OutboundRecord, 'updatedAt'>): Promise<boolean> {
    try {
      await this.model.create({ ...record, updatedAt: new Date() });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /** Erases a redacted customer's phone from the ledger (the records stay, anonymous). */
  async eraseSubscriber(shop: string, subscriberId: string): Promise<void> {
    await this.model.updateMany({ shop, subscriberId }, { $set: { to: 'erased', updatedAt: new Date() } });
  }

  async eraseShop(shop: string): Promise<void> {
    const ids = await this.model.find({ shop }, { _id: 1 }).lean<{ _id: string }[]>().exec();
    await this.model.deleteMany({ shop });
    await this.providerSids.deleteMany({ messageId: { $in: ids.map((d) => d._id) } });
  }

  async update(id: string, fields: Partial<OutboundRecord>): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: { ...fields, updatedAt: new Date() } });
  }
}
