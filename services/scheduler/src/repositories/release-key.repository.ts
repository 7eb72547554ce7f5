// One key per scheduled reply, `_id` = its message id, naming the Agenda job that releases it:
// the scheduler's idempotency record. It is written before the job, so a redelivered request
// finds it by `_id`; one without a job id is a creation that stopped half-way. (Agenda's own
// `unique()` upsert on `data.messageId` would do the same with an index on Agenda's data, which
// Agenda does not make; the key keeps that lookup ours on MongoDB and on the local store alike.)
import { type Connection, isDuplicateKey } from '@sms-inbox/mongo';
import { Schema } from 'mongoose';

export interface ReleaseKey {
  _id: string;
  /** The Agenda job's id; null until the job is stored. */
  jobId: string | null;
  createdAt: Date;
}

const releaseKeySchema = new Schema<ReleaseKey>(
  {
    _id: { type: String, required: true },
    jobId: { type: String, default: null },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export class ReleaseKeyRepository {
  private readonly keys;

  constructor(connection: Connection) {
    this.keys = connection.model<ReleaseKey>('ReleaseKey', releaseKeySchema, 'release_keys');
  }

  /** Claims the message: true when this call wrote its key, false when it was there already. */
  async claim(messageId: string): Promise<boolean> {
    try {
      await this.keys.create({ _id: messageId, jobId: null, createdAt: new Date() });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async find(messageId: string): Promise<ReleaseKey | null> {
    return this.keys.findById(messageId).lean<ReleaseKey>().exec();
  }

  async setJob(messageId: string, jobId: string): Promise<void> {
    await this.keys.updateOne({ _id: messageId }, { $set: { jobId } }).exec();
  }
}
