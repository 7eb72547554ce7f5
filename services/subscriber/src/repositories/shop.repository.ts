// Shops' audience settings: sending number, keywords, timezone, quiet hours, auto-reply texts.
import { type Connection, isDuplicateKey } from '@sms-inbox/mongo';
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
  },
  { versionKey: false, minimize: false },
);
// Serves the webhook's shop lookup by `To`, and makes a number belong to one shop only.
shopSchema.index({ phoneNumber: 1 }, { unique: true });

export class ShopRepository {
  private readonly model;

  constructor(connection: Connection) {
    this.model = connection.model<ShopSettings>('Shop', shopSchema, 'shops');
  }

  async init(): Promise<void> {
    await this.model.createIndexes();
  }

  find(shop: string): Promise<ShopSettings | null> {
    return this.model.findById(shop).lean<ShopSettings>().exec();
  }

  findByPhoneNumber(phoneNumber: string): Promise<ShopSettings | null> {
    return this.model.findOne({ phoneNumber }).lean<ShopSettings>().exec();
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

  async save(settings: ShopSettings): Promise<ShopSettings> {
    try {
      await this.model.replaceOne({ _id: settings._id }, settings, { upsert: true });
      return settings;
    } catch (err) {
      if (isDuplicateKey(err)) {
        throw conflict('phone_number_taken', 'another shop already sends from this number', { cause: err });
      }
      throw err;
    }
  }
}
