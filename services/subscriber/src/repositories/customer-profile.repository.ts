// Shopify customer profiles seen before their SMS consent (profile and consent webhooks may
// arrive in either order): kept so a later consent creates a subscriber with the names.
import type { Connection } from '@sms-inbox/mongo';
import { Schema } from 'mongoose';

export interface CustomerProfile {
  _id: string;
  shop: string;
  customerId: string;
  phone: string;
  firstName: string | null;
  lastName: string | null;
  countryCode: string;
  provinceCode: string;
  updatedAt: Date;
}

const profileSchema = new Schema<CustomerProfile>(
  {
    _id: { type: String, required: true },
    shop: { type: String, required: true },
    customerId: { type: String, required: true },
    phone: { type: String, default: '' },
    firstName: { type: String, default: null },
    lastName: { type: String, default: null },
    countryCode: { type: String, default: '' },
    provinceCode: { type: String, default: '' },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
// Serves shop/redact.
profileSchema.index({ shop: 1 });

const key = (shop: string, customerId: string) => `${shop}/${customerId}`;

export class CustomerProfileRepository {
  private readonly model;

  constructor(connection: Connection) {
    this.model = connection.model<CustomerProfile>('CustomerProfile', profileSchema, 'customer_profiles');
  }

  async init(): Promise<void> {
    await this.model.createIndexes();
  }

  find(shop: string, customerId: string): Promise<CustomerProfile | null> {
    return this.model.findById(key(shop, customerId)).lean<CustomerProfile>().exec();
  }

  async save(profile: Omit<CustomerProfile, '_id' | 'updatedAt'>): Promise<void> {
    const _id = key(profile.shop, profile.customerId);
    await this.model.replaceOne({ _id }, { ...profile, _id, updatedAt: new Date() }, { upsert: true });
  }

  async delete(shop: string, customerId: string): Promise<void> {
    await this.model.deleteOne({ _id: key(shop, customerId) });
  }

  async deleteShop(shop: string): Promise<void> {
    await this.model.deleteMany({ shop });
  }
}
