// Leases: which replica does a job that only one should do at a time (the status
// reconciliation). One document per job, taken when free or expired and renewed by its holder;
// a holder that dies loses it when it expires. Right on MongoDB with any number of replicas: the
// take is one conditional upsert on `_id`, and of two takers the second meets the unique `_id`.
import { type Connection, isDuplicateKey } from '@sms-inbox/mongo';
import { Schema } from 'mongoose';

interface Lease {
  _id: string;
  holder: string;
  until: Date;
}

const leaseSchema = new Schema<Lease>(
  {
    _id: { type: String, required: true },
    holder: { type: String, required: true },
    until: { type: Date, required: true },
  },
  { versionKey: false },
);

export class LeaseRepository {
  private readonly model;

  constructor(connection: Connection) {
    this.model = connection.model<Lease>('Lease', leaseSchema, 'leases');
  }

  /** Takes or renews the lease `name` for `ms`; false when another holder has it. */
  async acquire(name: string, holder: string, ms: number): Promise<boolean> {
    const now = new Date();
    try {
      const lease = await this.model
        .findOneAndUpdate(
          { _id: name, $or: [{ holder }, { until: { $lte: now } }] },
          { $set: { holder, until: new Date(now.getTime() + ms) } },
          { upsert: true, returnDocument: 'after' },
        )
        .lean<Lease>()
        .exec();
      return lease?.holder === holder;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /** Gives the lease up at once (a graceful stop), if still held. */
  async release(name: string, holder: string): Promise<void> {
    await this.model.updateOne({ _id: name, holder }, { $set: { until: new Date(0) } });
  }
}
