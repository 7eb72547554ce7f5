// Subscribers of each shop. Every query names the shop: the tenant scope is part of each
// method's signature.
import { type Connection, KeyedReads } from '@sms-inbox/mongo';
import { type mongo, Schema, Types } from 'mongoose';

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

/** The phone of an erased subscriber starts with this (then a one-way hash of the number). */
const REDACTED = 'redacted:';

export class SubscriberRepository {
  private readonly model;
  /** Every reply reads its subscriber (twice: consent, then again right before the send): as one command. */
  private readonly byId;
  /** Every inbound text looks its sender up: the texts of one shop handled at once, one command. */
  private readonly byPhone;

  constructor(connection: Connection) {
    this.model = connection.model<SubscriberRecord>('Subscriber', subscriberSchema, 'subscribers');
    this.byId = new KeyedReads<SubscriberRecord>(this.model.collection);
    this.byPhone = new KeyedReads<SubscriberRecord>(this.model.collection, {
      key: 'phone',
      scopedIndex: true,
    });
  }

  async init(): Promise<void> {
    await this.model.createIndexes();
  }

  /** By the unique (shop, phone) index. */
  findByPhone(shop: string, phone: string): Promise<SubscriberRecord | null> {
    return this.byPhone.find(phone, shop);
  }

  findByCustomerId(shop: string, customerId: string): Promise<SubscriberRecord | null> {
    return this.model.findOne({ shop, customerId }).lean<SubscriberRecord>().exec();
  }

  /** Within the shop, so another shop's id is simply not found. */
  findById(shop: string, id: string): Promise<SubscriberRecord | null> {
    return this.byId.find(id, shop);
  }

  /** Applies `update` to the subscriber if `filter` (beside its id and shop) still holds; the result, or null. */
  private updateWhere(
    shop: string,
    id: string,
    filter: Record<string, unknown>,
    update: Record<string, unknown>,
  ): Promise<SubscriberRecord | null> {
    return this.model
      .findOneAndUpdate({ _id: id, shop, ...filter }, update, { returnDocument: 'after' })
      .lean<SubscriberRecord>()
      .exec();
  }

  findByIds(shop: string, ids: readonly string[]): Promise<SubscriberRecord[]> {
    return this.model
      .find({ shop, _id: { $in: [...ids] } })
      .lean<SubscriberRecord[]>()
      .exec();
  }

  /**
   * Creates the subscriber unless one exists for (shop, phone): one upsert on the unique
   * (shop, phone) index, so of concurrent first texts from a number exactly one creates it.
   */
  async createIfAbsent(
    fields: Omit<SubscriberRecord, '_id' | 'version' | 'createdAt' | 'updatedAt'>,
    at: Date,
  ): Promise<{ subscriber: SubscriberRecord; created: boolean }> {
    const { shop, phone, ...rest } = fields;
    const res = await this.model
      .findOneAndUpdate(
        { shop, phone },
        {
          $setOnInsert: {
            ...rest,
            _id: new Types.ObjectId().toHexString(),
            version: 1,
            createdAt: at,
            updatedAt: at,
          },
        },
        { upsert: true, returnDocument: 'after', includeResultMetadata: true },
      )
      .lean()
      .exec();
    const { value, lastErrorObject } = res as unknown as mongo.ModifyResult<SubscriberRecord>;
    return { subscriber: value!, created: !lastErrorObject?.updatedExisting };
  }

  /** Moves the status from `from` to `to` in one conditional write; null when it was not `from` (already changed). */
  transition(shop: string, id: string, from: SubscriberStatus, to: SubscriberStatus, consentAt: Date) {
    return this.updateWhere(
      shop,
      id,
      { status: from },
      { $set: { status: to, consentAt, updatedAt: new Date() }, $inc: { version: 1 } },
    );
  }

  /**
   * Sets profile fields (names, customer, timezone) when they differ; returns the result. The
   * write lands only on the version it was decided on (else it is decided again), and never on an
   * erased subscriber: an erasure wins over a profile update that races it.
   */
  async enrich(
    shop: string,
    id: string,
    fields: Partial<
      Pick<SubscriberRecord, 'firstName' | 'lastName' | 'customerId' | 'customerUrl' | 'timezone' | 'region'>
    >,
  ): Promise<SubscriberRecord | null> {
    for (;;) {
      const current = await this.findById(shop, id);
      if (!current || current.phone.startsWith(REDACTED)) return current;
      const changes = Object.fromEntries(
        Object.entries(fields).filter(
          ([k, v]) => v !== undefined && v !== null && current[k as keyof SubscriberRecord] !== v,
        ),
      );
      if (Object.keys(changes).length === 0) return current;
      const updated = await this.updateWhere(
        shop,
        id,
        { version: current.version },
        { $set: { ...changes, updatedAt: new Date() }, $inc: { version: 1 } },
      );
      if (updated) return updated;
    }
  }

  /**
   * Erases the personal data of a subscriber (Shopify customers/redact). What stays is the proof
   * of consent: the id, the shop, the source, the status and when it was decided; the phone is
   * replaced by a one-way hash so a later STOP from the same number still matches nothing.
   */
  redact(shop: string, id: string, phoneHash: string): Promise<SubscriberRecord | null> {
    return this.updateWhere(
      shop,
      id,
      {},
      {
        $set: {
          phone: `${REDACTED}${phoneHash}`,
          firstName: null,
          lastName: null,
          customerUrl: null,
          timezone: null,
          region: null,
          status: 'opted_out',
          updatedAt: new Date(),
        },
        $inc: { version: 1 },
      },
    );
  }

  async deleteShop(shop: string): Promise<void> {
    await this.model.deleteMany({ shop });
  }
}
