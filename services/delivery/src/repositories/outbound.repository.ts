// The outbound ledger: one document per reply message, keyed by its id, recording what was
// asked of the provider and what came back. It is what makes a redelivered send request
// harmless: a message the ledger shows as attempted is never sent again.
import { type Connection, isDuplicateKey } from '@sms-inbox/mongo';
import { Schema } from 'mongoose';

export type OutboundState = 'calling' | 'accepted' | 'failed' | 'canceled' | 'retrying';

export interface OutboundRecord {
  _id: string;
  shop: string;
  conversationId: string;
  to: string;
  state: OutboundState;
  providerSid: string | null;
  errorCode: number | null;
  attempts: number;
  calledAt: Date | null;
  updatedAt: Date;
}

const outboundSchema = new Schema<OutboundRecord>(
  {
    _id: { type: String, required: true },
    shop: { type: String, required: true },
    conversationId: { type: String, required: true },
    to: { type: String, required: true },
    state: { type: String, required: true },
    providerSid: { type: String, default: null },
    errorCode: { type: Number, default: null },
    attempts: { type: Number, default: 0 },
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

  async update(id: string, fields: Partial<OutboundRecord>): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: { ...fields, updatedAt: new Date() } });
  }
}
