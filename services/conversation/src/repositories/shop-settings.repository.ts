// This service's copy of each shop's settings that the inbox needs (timezone, quiet hours), so
// that a page of the inbox is read from this service's own database alone. The subscriber
// service owns the settings; the copy is written when a change is made (ApplyShopSettings, before
// PUT /v1/shop answers) and again from ShopChanged, and keeps the highest revision, so that the
// two, redelivered or in any order, leave the newest.
import type { subscriberV1 } from '@sms-inbox/contracts';
import { type Connection, isDuplicateKey } from '@sms-inbox/mongo';
import { Schema } from 'mongoose';

export interface ShopSettingsCopy {
  /** The shop's myshopify domain. */
  _id: string;
  timezone: string;
  quietHours: { start: string; end: string } | null;
  /** The subscriber service's revision of the settings copied. */
  revision: number;
}

/** The copy of the settings the subscriber service sent. */
export const copyOfShop = (shop: subscriberV1.Shop): ShopSettingsCopy => ({
  _id: shop.shop,
  timezone: shop.timezone,
  quietHours: shop.quietHours ?? null,
  revision: shop.revision,
});

const shopSettingsSchema = new Schema<ShopSettingsCopy>(
  {
    _id: { type: String, required: true },
    timezone: { type: String, required: true },
    quietHours: { type: Schema.Types.Mixed, default: null },
    revision: { type: Number, required: true },
  },
  { versionKey: false, minimize: false },
);

export class ShopSettingsRepository {
  private readonly model;

  constructor(connection: Connection) {
    this.model = connection.model<ShopSettingsCopy>('ShopSettings', shopSettingsSchema, 'shop_settings');
  }

  find(shop: string): Promise<ShopSettingsCopy | null> {
    return this.model.findById(shop).lean<ShopSettingsCopy>().exec();
  }

  /**
   * Keeps `copy` unless the copy held is of the same or a later revision. A conditional upsert:
   * when a copy of a later revision exists, the filter does not match it and the insert the upsert
   * tries collides on `_id` (11000): nothing to do.
   */
  async apply(copy: ShopSettingsCopy): Promise<boolean> {
    try {
      const { timezone, quietHours, revision } = copy;
      await this.model.updateOne(
        { _id: copy._id, revision: { $lt: revision } },
        { $set: { timezone, quietHours, revision } },
        { upsert: true },
      );
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async delete(shop: string): Promise<void> {
    await this.model.deleteOne({ _id: shop });
  }
}
