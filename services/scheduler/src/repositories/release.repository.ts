// One document per scheduled reply (`_id` = its message id): when it is due, and whether it is
// still waiting, released or canceled. Replies are released in batches: a replica claims a batch
// of due ones with a lease (one conditional update per document, so of two replicas each document
// goes to one), releases them and marks them released; a replica that dies leaves its lease to
// expire and another claims them again. Documents stay after their release, as the idempotency
// record of a redelivered schedule request (the release keys did the same before).
import { randomUUID } from 'node:crypto';
import { type Connection, isDuplicateKey } from '@sms-inbox/mongo';
import { Schema } from 'mongoose';

export type ReleaseState = 'waiting' | 'released' | 'canceled';

export interface ReleaseRecord {
  _id: string;
  shop: string;
  conversationId: string;
  subscriberId: string;
  dueAt: Date;
  state: ReleaseState;
  /** Until when the replica that claimed it holds it; the epoch when nobody does. */
  leaseUntil: Date;
  leaseOwner: string | null;
  createdAt: Date;
  releasedAt: Date | null;
}

export type NewRelease = Pick<ReleaseRecord, '_id' | 'shop' | 'conversationId' | 'subscriberId' | 'dueAt'>;

/** A batch this replica holds: only its holder may release, move or free these documents. */
export interface ClaimedBatch {
  owner: string;
  releases: ReleaseRecord[];
}

const NOBODY = new Date(0);

/** The fields of a document just stored: held by nobody, not released. */
const fresh = (now: Date) => ({ leaseUntil: NOBODY, leaseOwner: null, createdAt: now, releasedAt: null });

const releaseSchema = new Schema<ReleaseRecord>(
  {
    _id: { type: String, required: true },
    shop: { type: String, required: true },
    conversationId: { type: String, required: true },
    subscriberId: { type: String, required: true },
    dueAt: { type: Date, required: true },
    state: { type: String, required: true },
    leaseUntil: { type: Date, required: true },
    leaseOwner: { type: String, default: null },
    createdAt: { type: Date, required: true },
    releasedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
// The due batch: waiting replies by due time (claimDue).
releaseSchema.index({ state: 1, dueAt: 1 });

export class ReleaseRepository {
  private readonly releases;

  constructor(connection: Connection) {
    this.releases = connection.model<ReleaseRecord>('Release', releaseSchema, 'releases');
  }

  async init(): Promise<void> {
    await this.releases.createIndexes();
  }

  /** Stores the reply once, whatever is redelivered; a cancel that came first stays a cancel. */
  async schedule(release: NewRelease, now = new Date()): Promise<void> {
    try {
      await this.releases
        .updateOne(
          { _id: release._id },
          {
            $setOnInsert: { ...release, state: 'waiting', ...fresh(now) },
          },
          { upsert: true },
        )
        .exec();
    } catch (err) {
      // Two deliveries upserting at once: the other one stored it.
      if (!isDuplicateKey(err)) throw err;
    }
  }

  /**
   * Cancels a reply not yet released: true when this call canceled it. A cancel that arrives
   * before its schedule request leaves a canceled document, which that request then keeps.
   */
  async cancel(messageId: string, shop: string, now = new Date()): Promise<boolean> {
    try {
      const res = await this.releases
        .updateOne(
          { _id: messageId, state: { $ne: 'released' } },
          {
            $set: { state: 'canceled' },
            $setOnInsert: { shop, conversationId: '', subscriberId: '', dueAt: NOBODY, ...fresh(now) },
          },
          { upsert: true },
        )
        .exec();
      return res.modifiedCount + res.upsertedCount > 0;
    } catch (err) {
      // Released already (the filter missed it, and the upsert met its `_id`).
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /** Claims up to `limit` due replies for `leaseMs`; an empty batch when none is due. */
  async claimDue(limit: number, leaseMs: number, now = new Date()): Promise<ClaimedBatch> {
    const owner = randomUUID();
    const due = await this.releases
      .find({ state: 'waiting', dueAt: { $lte: now }, leaseUntil: { $lte: now } }, { _id: 1 })
      .sort({ dueAt: 1 })
      .limit(limit)
      .lean<Array<{ _id: string }>>()
      .exec();
    if (due.length === 0) return { owner, releases: [] };
    const ids = due.map((d) => d._id);
    await this.releases
      .updateMany(
        { _id: { $in: ids }, state: 'waiting', leaseUntil: { $lte: now } },
        { $set: { leaseUntil: new Date(now.getTime() + leaseMs), leaseOwner: owner } },
      )
      .exec();
    const releases = await this.releases
      .find({ _id: { $in: ids }, leaseOwner: owner, state: 'waiting' })
      .lean<ReleaseRecord[]>()
      .exec();
    return { owner, releases };
  }

  async markReleased(batch: ClaimedBatch, ids: string[], now = new Date()): Promise<void> {
    if (ids.length === 0) return;
    await this.releases
      .updateMany(
        { _id: { $in: ids }, leaseOwner: batch.owner, state: 'waiting' },
        { $set: { state: 'released', releasedAt: now, leaseUntil: NOBODY, leaseOwner: null } },
      )
      .exec();
  }

  /** Gives a held reply back, due at `dueAt` (the end of quiet hours, or a retry). */
  async moveTo(batch: ClaimedBatch, id: string, dueAt: Date): Promise<void> {
    await this.releases
      .updateOne(
        { _id: id, leaseOwner: batch.owner, state: 'waiting' },
        { $set: { dueAt, leaseUntil: NOBODY, leaseOwner: null } },
      )
      .exec();
  }

  async find(id: string): Promise<ReleaseRecord | null> {
    return this.releases.findById(id).lean<ReleaseRecord>().exec();
  }

  /** Replies waiting, and those overdue by more than `overdueMs` (the jobs gauge). */
  async counts(overdueMs: number, now = new Date()): Promise<{ waiting: number; overdue: number }> {
    const [waiting, overdue] = await Promise.all([
      this.releases.countDocuments({ state: 'waiting' }).exec(),
      this.releases
        .countDocuments({ state: 'waiting', dueAt: { $lt: new Date(now.getTime() - overdueMs) } })
        .exec(),
    ]);
    return { waiting, overdue };
  }
}
