// Subscribers of each shop. Every query names the shop: the tenant scope is part of each
// method's signature.
import { type Connection, isDuplicateKey } from '@sms-inbox/mongo';
import { KeyedMutex } from '@sms-inbox/platform';
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
  /** "US-FL": country and province of the checkout address, for state rules. */
  region: string | null;
  /** The zones the phone number's prefix lies in (one zone: the phone decides the timezone). */
  phoneZones: string[];
  /** "US-FL": the state of the phone number's area code, for state rules. */
  phoneRegion: string | null;
  /** When the current consent status was decided, by its cause's own time. */
  consentAt: Date | null;
  /** The cause (message sid, webhook id) that created this subscriber. */
  createdBy: string;
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
    region: { type: String, default: null },
    phoneZones: { type: [String], default: [] },
    phoneRegion: { type: String, default: null },
    consentAt: { type: Date, default: null },
    createdBy: { type: String, required: true },
    version: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
// Serves the inbound lookup by (shop, phone); one person is one subscriber per shop.
subscriberSchema.index({ shop: 1, phone: 1 }, { unique: true });
// Serves checkout webhooks, which name the Shopify customer.
subscriberSchema.index({ shop: 1, customerId: 1 });

/** (shop, phone) → subscriber id, keyed by `_id` so the inbound lookup is direct. */
interface PhoneKey {
  _id: string;
  shop: string;
  subscriberId: string;
}

const phoneKeySchema = new Schema<PhoneKey>(
  {
    _id: { type: String, required: true },
    shop: { type: String, required: true },
    subscriberId: { type: String, required: true },
  },
  { versionKey: false },
);

const phoneKeyOf = (shop: string, phone: string) => `${shop}|${phone}`;

export class SubscriberRepository {
  private readonly model;
  private readonly phoneKeys;
  /** Every update of one subscriber runs alone (see KeyedMutex: FerretDB's updates are not atomic). */
  private readonly locks = new KeyedMutex();

  constructor(connection: Connection) {
    this.model = connection.model<SubscriberRecord>('Subscriber', subscriberSchema, 'subscribers');
    this.phoneKeys = connection.model<PhoneKey>('PhoneKey', phoneKeySchema, 'phone_keys');
  }

  async init(): Promise<void> {
    await this.model.createIndexes();
  }

  /** Through the phone key, so both reads are by `_id` (FerretDB scans for any other filter). */
  async findByPhone(shop: string, phone: string): Promise<SubscriberRecord | null> {
    const key = await this.phoneKeys.findById(phoneKeyOf(shop, phone)).lean<PhoneKey>().exec();
    if (!key) return null;
    const subscriber = await this.findById(shop, key.subscriberId);
    return subscriber?.phone === phone ? subscriber : null;
  }

  findByCustomerId(shop: string, customerId: string): Promise<SubscriberRecord | null> {
    return this.model.findOne({ shop, customerId }).lean<SubscriberRecord>().exec();
  }

  /**
   * By `_id` alone, the one filter FerretDB looks up directly (any other field makes it scan the
   * collection); the shop is checked here, so another shop's id is simply not found.
   */
  async findById(shop: string, id: string): Promise<SubscriberRecord | null> {
    const doc = await this.model.findById(id).lean<SubscriberRecord>().exec();
    return doc && doc.shop === shop ? doc : null;
  }

  /** Applies `update` to the subscriber by `_id` (under its lock) and returns it as it now is. */
  private async updateById(
    shop: string,
    id: string,
    update: Record<string, unknown>,
  ): Promise<SubscriberRecord | null> {
    await this.model.updateOne({ _id: id }, update);
    return this.findById(shop, id);
  }

  findByIds(shop: string, ids: readonly string[]): Promise<SubscriberRecord[]> {
    return this.model
      .find({ shop, _id: { $in: [...ids] } })
      .lean<SubscriberRecord[]>()
      .exec();
  }

  /** Creates the subscriber unless (shop, phone) exists; returns the stored one and whether it is new. */
  /**
   * Creates the subscriber unless one exists for (shop, phone). The phone key, inserted first
   * with a unique `_id`, decides which subscriber id owns the number; a crash between the two
   * inserts is finished by the next attempt, which finds the key and creates that id.
   */
  async createIfAbsent(
    fields: Omit<SubscriberRecord, '_id' | 'version' | 'createdAt' | 'updatedAt'>,
    at: Date,
  ): Promise<{ subscriber: SubscriberRecord; created: boolean }> {
    const keyId = phoneKeyOf(fields.shop, fields.phone);
    let subscriberId = new Types.ObjectId().toHexString();
    try {
      await this.phoneKeys.create({ _id: keyId, shop: fields.shop, subscriberId });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      subscriberId = (await this.phoneKeys.findById(keyId).lean<PhoneKey>().exec())!.subscriberId;
      const existing = await this.findById(fields.shop, subscriberId);
      if (existing) return { subscriber: existing, created: false };
    }
    const subscriber: SubscriberRecord = {
      ...fields,
      _id: subscriberId,
      version: 1,
      createdAt: at,
      updatedAt: at,
    };
    try {
      await this.model.create(subscriber);
      return { subscriber, created: true };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return { subscriber: (await this.findById(fields.shop, subscriberId))!, created: false };
    }
  }

  /** Moves the status from `from` to `to`; null when it was not `from` (already changed). */
  async transition(shop: string, id: string, from: SubscriberStatus, to: SubscriberStatus, consentAt: Date) {
    return this.locks.run(id, async () => {
      const current = await this.findById(shop, id);
      if (!current || current.status !== from) return null;
      return this.updateById(shop, id, {
        $set: { status: to, consentAt, updatedAt: new Date() },
        $inc: { version: 1 },
      });
    });
  }

  /** Sets profile fields (names, customer, timezone) when they differ; returns the result. */
  async enrich(
    shop: string,
    id: string,
    fields: Partial<
      Pick<SubscriberRecord, 'firstName' | 'lastName' | 'customerId' | 'customerUrl' | 'timezone' | 'region'>
    >,
  ): Promise<SubscriberRecord | null> {
    return this.locks.run(id, async () => {
      const current = await this.findById(shop, id);
      if (!current) return null;
      const changes = Object.fromEntries(
        Object.entries(fields).filter(
          ([k, v]) => v !== undefined && v !== null && current[k as keyof SubscriberRecord] !== v,
        ),
      );
      if (Object.keys(changes).length === 0) return current;
      return this.updateById(shop, id, { $set: { ...changes, updatedAt: new Date() }, $inc: { version: 1 } });
    });
  }

  /**
   * Erases the personal data of a subscriber (Shopify customers/redact). What stays is the proof
   * of consent: the id, the shop, the source, the status and when it was decided; the phone is
   * replaced by a one-way hash so a later STOP from the same number still matches nothing.
   */
  async redact(shop: string, id: string, phoneHash: string): Promise<SubscriberRecord | null> {
    const current = await this.findById(shop, id);
    if (current && !current.phone.startsWith('redacted:'))
      await this.phoneKeys.deleteOne({ _id: phoneKeyOf(shop, current.phone) });
    return this.locks.run(id, () =>
      this.updateById(shop, id, {
        $set: {
          phone: `redacted:${phoneHash}`,
          firstName: null,
          lastName: null,
          customerUrl: null,
          timezone: null,
          region: null,
          status: 'opted_out',
          updatedAt: new Date(),
        },
        $inc: { version: 1 },
      }),
    );
  }

  async deleteShop(shop: string): Promise<void> {
    await this.phoneKeys.deleteMany({ shop });
    await this.model.deleteMany({ shop });
  }
}
