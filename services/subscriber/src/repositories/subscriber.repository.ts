// Subscribers of each shop. Every query names the shop: the tenant scope is part of each
// method's signature.
import { type Connection, isDuplicateKey } from '@sms-inbox/mongo';
import { Schema, Types } from 'mongoose';

export type SubscriberStatus = 'active' | 'opted_out';
export type SubscriberSource = 'keyword' | 'checkout';

export interface SubscriberRecord {
  _id: string;
  shop: string;
  phone: string;
  firstName: string | null;
  lastName: string | null;
  source: SubscriberSource;
  customerId: string | null;
  customerUrl: string | null;
  status: SubscriberStatus;
  timezone: string | null;
  /** Grows with every change; events carry it so consumers drop stale copies. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

const subscriberSchema = new Schema<SubscriberRecord>(
  {
    _id: { type: String, required: true },
    shop: { type: String, required: true },
    phone: { type: String, required: true },
    firstName: { type: String, default: null },
    lastName: { type: String, default: null },
    source: { type: String, required: true },
    customerId: { type: String, default: null },
    customerUrl: { type: String, default: null },
    status: { type: String, required: true },
    timezone: { type: String, default: null },
    version: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
// Serves the inbound lookup by (shop, phone); one person is one subscriber per shop.
subscriberSchema.index({ shop: 1, phone: 1 }, { unique: true });

export class SubscriberRepository {
  private readonly model;

  constructor(connection: Connection) {
    this.model = connection.model<SubscriberRecord>('Subscriber', subscriberSchema, 'subscribers');
  }

  async init(): Promise<void> {
    await this.model.createIndexes();
  }

  findByPhone(shop: string, phone: string): Promise<SubscriberRecord | null> {
    return this.model.findOne({ shop, phone }).lean<SubscriberRecord>().exec();
  }

  findById(shop: string, id: string): Promise<SubscriberRecord | null> {
    return this.model.findOne({ _id: id, shop }).lean<SubscriberRecord>().exec();
  }

  findByIds(shop: string, ids: readonly string[]): Promise<SubscriberRecord[]> {
    return this.model
      .find({ shop, _id: { $in: [...ids] } })
      .lean<SubscriberRecord[]>()
      .exec();
  }

  /** Creates the subscriber unless (shop, phone) exists; returns the stored one and whether it is new. */
  async createIfAbsent(
    fields: Omit<SubscriberRecord, '_id' | 'version' | 'createdAt' | 'updatedAt'>,
    at: Date,
  ): Promise<{ subscriber: SubscriberRecord; created: boolean }> {
    const id = new Types.ObjectId().toHexString();
    try {
      const subscriber = await this.model
        .findOneAndUpdate(
          { shop: fields.shop, phone: fields.phone },
          { $setOnInsert: { ...fields, _id: id, version: 1, createdAt: at, updatedAt: at } },
          { upsert: true, returnDocument: 'after' },
        )
        .lean<SubscriberRecord>();
      return { subscriber: subscriber!, created: subscriber!._id === id };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return { subscriber: (await this.findByPhone(fields.shop, fields.phone))!, created: false };
    }
  }

  /** Moves the status from `from` to `to`; null when it was not `from` (already changed). */
  async transition(shop: string, id: string, from: SubscriberStatus, to: SubscriberStatus, at: Date) {
    return this.model
      .findOneAndUpdate(
        { _id: id, shop, status: from },
        { $set: { status: to, updatedAt: at }, $inc: { version: 1 } },
        { returnDocument: 'after' },
      )
      .lean<SubscriberRecord>()
      .exec();
  }
}
