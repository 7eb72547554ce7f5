// The webhook receipt ledger: one document per delivery id (Twilio MessageSid, Shopify event
// id). It de-duplicates webhooks and keeps the raw payload for replay.
import { BatchedInserts, type Connection, isDuplicateKey, KeyedReads } from '@sms-inbox/mongo';
import { Schema } from 'mongoose';

export interface Receipt {
  _id: string;
  source: 'twilio_sms' | 'twilio_status' | 'shopify';
  shop: string | null;
  /** The customer's phone (E.164) the webhook concerns, so their receipts can be erased. */
  party: string | null;
  payload: Record<string, unknown>;
  receivedAt: Date;
  publishedAt: Date | null;
}

const receiptSchema = new Schema<Receipt>(
  {
    _id: { type: String, required: true },
    source: { type: String, required: true },
    shop: { type: String, default: null },
    party: { type: String, default: null },
    payload: { type: Schema.Types.Mixed, required: true },
    receivedAt: { type: Date, required: true },
    publishedAt: { type: Date, default: null },
  },
  { versionKey: false, minimize: false },
);
// Serves the reconciliation scan for receipts stored but never published.
receiptSchema.index({ publishedAt: 1, receivedAt: 1 });
// Serves privacy requests: a customer's receipts (customers/redact), a shop's (shop/redact).
receiptSchema.index({ shop: 1, party: 1 });

export class ReceiptRepository {
  private readonly model;
  /** Every webhook reads and writes one receipt: concurrent ones go as one command each. */
  private readonly byId;
  private readonly inserts;

  constructor(connection: Connection) {
    this.model = connection.model<Receipt>('Receipt', receiptSchema, 'receipts');
    this.byId = new KeyedReads<Receipt>(this.model.collection);
    this.inserts = new BatchedInserts<Receipt>(this.model);
  }

  async init(): Promise<void> {
    await this.model.createIndexes();
  }

  find(id: string): Promise<Receipt | null> {
    return this.byId.find(id);
  }

  /**
   * Stores the receipt of a published delivery: true when stored, false when one with the same id
   * already was (a repeat; no-op).
   */
  async recordPublished(receipt: Receipt): Promise<boolean> {
    try {
      await this.inserts.insert(receipt);
      return true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return false;
    }
  }

  /** Erases what the receipts hold of one customer: the raw payloads go, the ids stay for de-duplication. */
  async redactParty(shop: string, party: string): Promise<void> {
    await this.model.updateMany({ shop, party }, { $set: { payload: { redacted: true }, party: null } });
  }

  async deleteShop(shop: string): Promise<void> {
    await this.model.deleteMany({ shop });
  }
}
