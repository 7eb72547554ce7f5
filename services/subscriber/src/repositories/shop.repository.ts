// Shops' audience settings: sending number, keywords, timezone, quiet hours, auto-reply texts.
import { type Connection, isDuplicateKey, KeyedReads } from '@sms-inbox/mongo';
import { conflict } from '@sms-inbox/platform';
import { Schema } from 'mongoose';

export interface ShopSettings {
  _id: string;
  phoneNumber: string;
  keywords: string[];
  timezone: string;
  quietHours: { start: string; end: string } | null;
  texts: { optInConfirmation: string; help: string; optOutConfirmation: string };
  updatedAt: Date;
  /** One more with each change; absent on settings stored before revisions were counted (0). */
  revision?: number;
}

const shopSchema = new Schema<ShopSettings>(
  {
    _id: { type: String, required: true },
    phoneNumber: { type: String, required: true },
    keywords: { type: [String], default: [] },
    timezone: { type: String, required: true },
    quietHours: { type: Schema.Types.Mixed, default: null },
    texts: { type: Schema.Types.Mixed, required: true },
    updatedAt: { type: Date, required: true },
    revision: { type: Number },
  },
  { versionKey: false, minimize: false },
);
// Serves the webhook's shop lookup by `To`, and makes a number belong to one shop only.
shopSchema.index({ phoneNumber: 1 }, { unique: true });

export class ShopRepository {
  private readonly model;
  /** Every text and reply reads its shop: concurrent reads go as one command. */
  private readonly byId;
  private readonly byPhoneNumber;

  constructor(connection: Connection) {
    this.model = connection.model<ShopSettings>('Shop', shopSchema, 'shops');
    this.byId = new KeyedReads<ShopSettings>(this.model.collection);
    this.byPhoneNumber = new KeyedReads<ShopSettings>(this.model.collection, { key: 'phoneNumber' });
  }

  async init(): Promise<void> {
    await this.model.createIndexes();
  }

  find(shop: string): Promise<ShopSettings | null> {
    return this.byId.find(shop);
  }

  findByPhoneNumber(phoneNumber: string): Promise<ShopSettings | null> {
    return this.byPhoneNumber.find(phoneNumber);
  }

  /** Shops after `afterShop` by domain, with only their sending numbers (reconciliation's list). */
  listSendingNumbers(afterShop: string, limit: number): Promise<Pick<ShopSettings, '_id' | 'phoneNumber'>[]> {
    return this.model
      .find(afterShop ? { _id: { $gt: afterShop } } : {}, { phoneNumber: 1 })
      .sort({ _id: 1 })
      .limit(limit)
      .lean<Pick<ShopSettings, '_id' | 'phoneNumber'>[]>()
      .exec();
  }

  async delete(shop: string): Promise<void> {
    await this.model.deleteOne({ _id: shop });
  }

  /**
   * Stores `settings` as the revision after `read` (the settings they were made from; null: there
   * were none) if the stored ones are still `read`: compare-and-set on `{_id, revision}`. Null when
   * another change landed first (read again and redo the change over it).
   */
  async saveOver(
    settings: Omit<ShopSettings, 'revision'>,
    read: ShopSettings | null,
  ): Promise<ShopSettings | null> {
    const next: ShopSettings = { ...settings, revision: (read?.revision ?? 0) + 1 };
    try {
      if (!read) {
        await this.model.collection.insertOne(next as never);
        return next;
      }
      const { matchedCount } = await this.model.replaceOne(
        { _id: read._id, revision: read.revision ?? { $exists: false } },
        next,
      );
      return matchedCount === 1 ? next : null;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // A first save that lost to another first save; else the number is another shop's.
      if (!read && (await this.find(settings._id))) return null;
      throw conflict('phone_number_taken', 'another shop already sends from this number', { cause: err });
    }
  }
}
