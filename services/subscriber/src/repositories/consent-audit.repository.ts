// The consent audit trail: every consent change with when, what caused it and from where.
import { type Connection, isDuplicateKey } from '@sms-inbox/mongo';
import { Schema } from 'mongoose';

export interface ConsentChange {
  /** The cause's id (message sid, webhook id, user action id): one entry per cause. */
  _id: string;
  shop: string;
  subscriberId: string;
  from: 'none' | 'active' | 'opted_out';
  to: 'active' | 'opted_out';
  source: 'keyword' | 'consent_word' | 'checkout' | 'merchant' | 'carrier';
  detail: string;
  at: Date;
}

const consentSchema = new Schema<ConsentChange>(
  {
    _id: { type: String, required: true },
    shop: { type: String, required: true },
    subscriberId: { type: String, required: true },
    from: { type: String, required: true },
    to: { type: String, required: true },
    source: { type: String, required: true },
    detail: { type: String, default: '' },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
// Serves a subscriber's audit trail, newest first.
consentSchema.index({ shop: 1, subscriberId: 1, at: -1 });

export class ConsentAuditRepository {
  private readonly model;

  constructor(connection: Connection) {
    this.model = connection.model<ConsentChange>('ConsentChange', consentSchema, 'consent_changes');
  }

  async init(): Promise<void> {
    await this.model.createIndexes();
  }

  /** Records the change once per cause, whatever redeliveries happen. */
  async record(change: ConsentChange): Promise<void> {
    try {
      await this.model.create(change);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  find(cause: string): Promise<ConsentChange | null> {
    return this.model.findById(cause).lean<ConsentChange>().exec();
  }

  /** Redaction keeps the entries (proof of consent) but drops texts that could identify. */
  async redact(shop: string, subscriberId: string): Promise<void> {
    await this.model.updateMany({ shop, subscriberId }, { $set: { detail: 'redacted' } });
  }

  async deleteShop(shop: string): Promise<void> {
    await this.model.deleteMany({ shop });
  }

  history(shop: string, subscriberId: string): Promise<ConsentChange[]> {
    return this.model.find({ shop, subscriberId }).sort({ at: -1 }).lean<ConsentChange[]>().exec();
  }
}
