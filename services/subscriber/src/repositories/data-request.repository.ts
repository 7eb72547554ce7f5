// The customers/data_request webhooks a shop received, for its merchant to fetch the export.
import type { Connection } from '@sms-inbox/mongo';
import { Schema } from 'mongoose';

export interface DataRequest {
  _id: string;
  shop: string;
  subscriberId: string | null;
  customerId: string;
  shopifyRequestId: string;
  requestedAt: Date;
}

const dataRequestSchema = new Schema<DataRequest>(
  {
    _id: { type: String, required: true },
    shop: { type: String, required: true },
    subscriberId: { type: String, default: null },
    customerId: { type: String, required: true },
    shopifyRequestId: { type: String, default: '' },
    requestedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
// Serves the merchant's list of data requests, newest first.
dataRequestSchema.index({ shop: 1, requestedAt: -1 });

export class DataRequestRepository {
  private readonly model;

  constructor(connection: Connection) {
    this.model = connection.model<DataRequest>('DataRequest', dataRequestSchema, 'data_requests');
  }

  async init(): Promise<void> {
    await this.model.createIndexes();
  }

  /** Records a request once per webhook (a redelivery replaces it with the same). */
  async record(request: DataRequest): Promise<void> {
    await this.model.replaceOne({ _id: request._id }, request, { upsert: true });
  }

  async deleteForSubscriber(shop: string, subscriberId: string): Promise<void> {
    await this.model.deleteMany({ shop, subscriberId });
  }

  async deleteShop(shop: string): Promise<void> {
    await this.model.deleteMany({ shop });
  }

  list(shop: string): Promise<DataRequest[]> {
    return this.model.find({ shop }).sort({ requestedAt: -1 }).limit(100).lean<DataRequest[]>().exec();
  }
}
