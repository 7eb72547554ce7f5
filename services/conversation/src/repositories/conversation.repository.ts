// Conversations: exactly one per subscriber per shop. Every query names the shop.

import { createHash } from 'node:crypto';
import type { subscriberV1 } from '@sms-inbox/contracts';
import { type Connection, isDuplicateKey, KeyedReads } from '@sms-inbox/mongo';
import { phoneDigits } from '@sms-inbox/platform';
import { Schema } from 'mongoose';
import { type ConversationStatus, moveApplies, type StatusMoveRule } from '../domain/conversation-status.js';
import type { ActivityCursor } from '../domain/cursor.js';
import type { MessageRecord } from './message.repository.js';

/**
 * What conversations keep of their subscriber (as of its latest SubscriberChanged, by `version`):
 * enough to search, to know consent and to show the inbox list without asking the subscriber
 * service, quiet hours included (worked out from the inputs below at the time of the list).
 */
export interface SubscriberSnapshot {
  phone: string;
  phoneDigits: string;
  firstName: string | null;
  lastName: string | null;
  /** "first last" in lower case: what a search by name reads. */
  name: string;
  status: 'active' | 'opted_out';
  version: number;
  /** Absent on copies made before the inbox list was served from them (the list then asks). */
  source?: 'keyword' | 'checkout';
  customerUrl?: string | null;
  /** The inputs of the subscriber's timezone and legal window (subscriberV1.Subscriber's). */
  addressTimezone?: string | null;
  phoneZones?: string[];
  region?: string | null;
  phoneRegion?: string | null;
}

export interface ConversationRecord {
  _id: string;
  shop: string;
  subscriberId: string;
  status: ConversationStatus;
  statusChangedAt: Date;
  lastActivityAt: Date;
  /** When a message was last appended (this service's clock): the order of the inbox list. */
  touchedAt: Date;
  lastMessage: MessageRecord | null;
  subscriber: SubscriberSnapshot;
  revision: number;
  createdAt: Date;
}

const conversationSchema = new Schema<ConversationRecord>(
  {
    _id: { type: String, required: true },
    shop: { type: String, required: true },
    subscriberId: { type: String, required: true },
    status: { type: String, required: true },
    statusChangedAt: { type: Date, required: true },
    lastActivityAt: { type: Date, required: true },
    touchedAt: { type: Date, required: true },
    lastMessage: { type: Schema.Types.Mixed, default: null },
    subscriber: { type: Schema.Types.Mixed, required: true },
    revision: { type: Number, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
// One conversation per subscriber per shop; serves the lookup when a subscriber writes.
conversationSchema.index({ shop: 1, subscriberId: 1 }, { unique: true });
// Serves the inbox list filtered by status, newest activity first, and the unresolved count.
conversationSchema.index({ shop: 1, status: 1, touchedAt: -1, _id: -1 });
// Serves the unfiltered inbox list, newest activity first.
conversationSchema.index({ shop: 1, touchedAt: -1, _id: -1 });
// The inbox search (`q`) by name (kept in lower case, so the search needs no case-insensitive
// expression) and by phone digits. On the local store a single-field index also gets a trigram
// index that serves these substring expressions (docs/architecture.md, "The local store"); on
// MongoDB they serve anchored prefixes only, and a search there reads the shop's list index in order.
conversationSchema.index({ 'subscriber.name': 1 });
conversationSchema.index({ 'subscriber.phoneDigits': 1 });

/**
 * A conversation's id follows from its shop and subscriber (one conversation per subscriber per
 * shop), so finding it is a lookup by `_id`. Opaque 24 hex digits, like the other ids.
 */
export function conversationIdOf(shop: string, subscriberId: string): string {
  return createHash('sha256').update(`${shop}\n${subscriberId}`).digest('hex').slice(0, 24);
}

/** The lower-case "first last" a search by name reads. */
export const searchableName = (firstName: string | null | undefined, lastName: string | null | undefined) =>
  [firstName, lastName]
    .filter((part) => part)
    .join(' ')
    .toLowerCase();

export const snapshotOf = (s: subscriberV1.Subscriber, version: number): SubscriberSnapshot => ({
  phone: s.phone,
  phoneDigits: phoneDigits(s.phone),
  firstName: s.firstName ?? null,
  lastName: s.lastName ?? null,
  name: searchableName(s.firstName, s.lastName),
  status: s.status === 'opted_out' ? 'opted_out' : 'active',
  version,
  source: s.source === 'checkout' ? 'checkout' : 'keyword',
  customerUrl: s.customerUrl ?? null,
  addressTimezone: s.addressTimezone ?? null,
  phoneZones: s.phoneZones,
  region: s.region ?? null,
  phoneRegion: s.phoneRegion ?? null,
});

/** A status change asked for (applied when `moveApplies`), with who and why for the history. */
export interface StatusMove extends StatusMoveRule {
  reason: string;
  actor: string;
}

export interface ListQuery {
  status?: ConversationStatus;
  q?: string;
  limit: number;
  /** Keyset position on (touchedAt, _id): only items after it (newest first). */
  after?: ActivityCursor;
  /** Only items last touched at or before this instant. */
  notAfter?: Date;
  /** Only items last touched after this instant. */
  activeAfter?: Date;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface StatusChange {
  shop: string;
  conversationId: string;
  from: ConversationStatus;
  to: ConversationStatus;
  /** subscriber_wrote, reply_sent, merchant_resolved, merchant_unresolved, subscriber_opted_out, subscriber_opted_in */
  reason: string;
  /** "subscriber", "system" or "user:<staff id>" */
  actor: string;
  at: Date;
}

const statusChangeSchema = new Schema<StatusChange>(
  {
    shop: { type: String, required: true },
    conversationId: { type: String, required: true },
    from: { type: String, required: true },
    to: { type: String, required: true },
    reason: { type: String, required: true },
    actor: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
// Serves a conversation's status history, newest first.
statusChangeSchema.index({ shop: 1, conversationId: 1, at: -1 });

export class ConversationRepository {
  private readonly model;
  private readonly statusChanges;
  /** Reads by `_id` of concurrent handlers, one command (every text, reply and status reads one). */
  private readonly byId;
  /** The unresolved count running per shop, and the one queued after it (see countUnresolved). */
  private readonly counting = new Map<string, Promise<number>>();
  private readonly nextCount = new Map<string, Promise<number>>();

  constructor(connection: Connection) {
    this.model = connection.model<ConversationRecord>('Conversation', conversationSchema, 'conversations');
    this.statusChanges = connection.model<StatusChange>('StatusChange', statusChangeSchema, 'status_changes');
    this.byId = new KeyedReads<ConversationRecord>(this.model.collection);
  }

  async init(): Promise<void> {
    await Promise.all([this.model.createIndexes(), this.statusChanges.createIndexes()]);
  }

  /**
   * The subscriber's conversation, created on first use together with its first message as
   * `lastMessage`, so no conversation is ever listed without one.
   */
  async findOrCreate(
    shop: string,
    subscriberId: string,
    snapshot: SubscriberSnapshot,
    firstMessage: (conversationId: string) => MessageRecord,
  ): Promise<ConversationRecord> {
    const existing = await this.findBySubscriber(shop, subscriberId);
    if (existing) return existing;
    const id = conversationIdOf(shop, subscriberId);
    const message = firstMessage(id);
    const status: ConversationStatus = snapshot.status === 'opted_out' ? 'opted_out' : 'unresolved';
    try {
      const doc = await this.model
        .findOneAndUpdate(
          { shop, subscriberId },
          {
            $setOnInsert: {
              _id: id,
              status,
              statusChangedAt: message.createdAt,
              lastActivityAt: message.createdAt,
              touchedAt: message.recordedAt,
              lastMessage: message,
              subscriber: snapshot,
              revision: 1,
              createdAt: message.createdAt,
            },
          },
          { upsert: true, returnDocument: 'after' },
        )
        .lean<ConversationRecord>();
      return doc!;
    } catch (err) {
      // Another delivery created it between our read and the upsert.
      if (!isDuplicateKey(err)) throw err;
      return (await this.findBySubscriber(shop, subscriberId))!;
    }
  }

  /** By `_id`: the conversation's id follows from its shop and subscriber. */
  findBySubscriber(shop: string, subscriberId: string): Promise<ConversationRecord | null> {
    return this.findById(shop, conversationIdOf(shop, subscriberId));
  }

  /** Within the shop, so another shop's id is simply not found. */
  findById(shop: string, id: string): Promise<ConversationRecord | null> {
    return this.byId.find(id, shop);
  }

  /**
   * A message appended to the conversation, in one read and one conditional write: it becomes the
   * last one unless a newer one is already there, and, when `status` is given, the status moves
   * as `setStatus` would move it. Returns the conversation as stored now (null when there is none).
   * `known`: the conversation as the caller read it, the first guess (a read saved when nothing
   * wrote it since; the conditional write finds out when something did).
   */
  async recordMessage(
    shop: string,
    id: string,
    message: MessageRecord,
    status?: StatusMove,
    known?: ConversationRecord,
  ): Promise<ConversationRecord | null> {
    let guess = known?._id === id && known.shop === shop ? known : undefined;
    for (;;) {
      const current = guess ?? (await this.findById(shop, id));
      guess = undefined;
      if (!current) return null;
      const set: Partial<ConversationRecord> = {};
      if (new Date(current.lastActivityAt) <= new Date(message.createdAt)) {
        set.lastActivityAt = message.createdAt;
        set.lastMessage = message;
      }
      if (new Date(message.recordedAt) > new Date(current.touchedAt)) set.touchedAt = message.recordedAt;
      const moves = status && this.moves(current, status);
      if (moves) Object.assign(set, { status: status.to, statusChangedAt: status.causeAt });
      if (Object.keys(set).length === 0) return current;
      if (!(await this.writeIfUnchanged(current, set))) continue;
      if (moves && current.status !== status.to) await this.logChange(shop, id, current.status, status);
      return { ...current, ...set, revision: current.revision + 1 };
    }
  }

  /**
   * Writes `set` only if the conversation is still at the revision it was read at (every write of
   * a conversation moves its revision), so a decision made on a stale read never lands: the
   * caller reads again and decides again. Right with any number of replicas.
   */
  private async writeIfUnchanged(
    current: ConversationRecord,
    set: Partial<ConversationRecord>,
  ): Promise<boolean> {
    const res = await this.model.updateOne(
      { _id: current._id, revision: current.revision },
      { $set: set, $inc: { revision: 1 } },
    );
    return res.matchedCount === 1;
  }

  private moves(current: ConversationRecord, move: StatusMove): boolean {
    return moveApplies(
      {
        status: current.status,
        statusChangedAt: new Date(current.statusChangedAt),
        subscriberVersion: current.subscriber?.version ?? 0,
      },
      move,
    );
  }

  private async logChange(shop: string, id: string, from: ConversationStatus, move: StatusMove) {
    await this.statusChanges.create({
      shop,
      conversationId: id,
      from,
      to: move.to,
      reason: move.reason,
      actor: move.actor,
      at: move.causeAt,
    });
  }

  /**
   * Sets the status when the cause is newer than the last status change, so a redelivered old
   * event never overrides a later decision (a merchant's Resolve after the text arrived). Each
   * change is kept with its reason and actor.
   */
  async setStatus(
    shop: string,
    id: string,
    allowedFrom: ConversationStatus[],
    to: ConversationStatus,
    causeAt: Date,
    why: { reason: string; actor: string; subscriberVersion?: number },
  ): Promise<boolean> {
    const move: StatusMove = { allowedFrom, to, causeAt, ...why };
    for (;;) {
      const before = await this.findById(shop, id);
      if (!before || !this.moves(before, move)) return false;
      if (!(await this.writeIfUnchanged(before, { status: to, statusChangedAt: causeAt }))) continue;
      if (before.status !== to) await this.logChange(shop, id, before.status, move);
      return true;
    }
  }

  statusHistory(shop: string, id: string): Promise<StatusChange[]> {
    return this.statusChanges
      .find({ shop, conversationId: id })
      .sort({ at: -1 })
      .limit(100)
      .lean<StatusChange[]>()
      .exec();
  }

  /** Keeps the newest subscriber snapshot (by version): one conditional write. */
  async updateSnapshot(shop: string, id: string, snapshot: SubscriberSnapshot): Promise<boolean> {
    const res = await this.model.updateOne(
      { _id: id, shop, 'subscriber.version': { $lt: snapshot.version } },
      { $set: { subscriber: snapshot }, $inc: { revision: 1 } },
    );
    return res.matchedCount === 1;
  }

  async list(shop: string, query: ListQuery): Promise<ConversationRecord[]> {
    const filter: Record<string, unknown> = { shop };
    if (query.status) filter.status = query.status;
    const and: Record<string, unknown>[] = [];
    if (query.after) {
      and.push({
        $or: [
          { touchedAt: { $lt: query.after.at } },
          { touchedAt: query.after.at, _id: { $lt: query.after.id } },
        ],
      });
    }
    const q = query.q?.trim();
    if (q) {
      const digits = phoneDigits(q);
      const lower = q.toLowerCase();
      // Part of the first name, of the last name, or of "first last".
      const or: Record<string, unknown>[] = [{ 'subscriber.name': new RegExp(escapeRegex(lower)) }];
      if (digits.length >= 3) or.push({ 'subscriber.phoneDigits': new RegExp(escapeRegex(digits)) });
      const parts = lower.split(/\s+/);
      // "Gr Ho" finds Grace Hopper: the start of the name, and the start of a later word (two
      // literal expressions, which the local store serves from its trigram index).
      if (parts.length === 2) {
        or.push({
          $and: [
            { 'subscriber.name': new RegExp(`^${escapeRegex(parts[0]!)}`) },
            { 'subscriber.name': new RegExp(` ${escapeRegex(parts[1]!)}`) },
          ],
        });
      }
      and.push({ $or: or });
    }
    if (query.notAfter) and.push({ touchedAt: { $lte: query.notAfter } });
    if (query.activeAfter) and.push({ touchedAt: { $gt: query.activeAfter } });
    if (and.length) filter.$and = and;
    return this.model
      .find(filter)
      .sort({ touchedAt: -1, _id: -1 })
      .limit(query.limit)
      .lean<ConversationRecord[]>()
      .exec();
  }

  async deleteForSubscriber(shop: string, subscriberId: string): Promise<string | null> {
    const conversation = await this.findBySubscriber(shop, subscriberId);
    if (!conversation) return null;
    await this.statusChanges.deleteMany({ shop, conversationId: conversation._id });
    await this.model.deleteOne({ _id: conversation._id });
    return conversation._id;
  }

  async deleteShop(shop: string): Promise<void> {
    await this.statusChanges.deleteMany({ shop });
    await this.model.deleteMany({ shop });
  }

  countByStatus(shop: string, status: ConversationStatus): Promise<number> {
    return this.model.countDocuments({ shop, status }).exec();
  }

  /**
   * The shop's unresolved count, as of a moment after the call: callers that arrive while a
   * count runs share the next one instead of each starting their own (every change announces
   * the count, so a burst of texts to one shop would otherwise count once per text).
   */
  countUnresolved(shop: string): Promise<number> {
    const queued = this.nextCount.get(shop);
    if (queued) return queued;
    const start = () => {
      this.nextCount.delete(shop);
      const counting = this.countByStatus(shop, 'unresolved').finally(() => {
        if (this.counting.get(shop) === counting) this.counting.delete(shop);
      });
      this.counting.set(shop, counting);
      return counting;
    };
    const running = this.counting.get(shop);
    if (!running) return start();
    const next = running.then(start, start);
    this.nextCount.set(shop, next);
    return next;
  }
}
