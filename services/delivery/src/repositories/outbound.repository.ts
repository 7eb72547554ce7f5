// The outbound ledger: one document per outbound text (a reply, keyed by its message id; an
// automatic answer, keyed by "auto:" + its request id), recording what was asked of the
// provider and what came back. It is what makes a redelivered send request harmless: a text
// the ledger shows as attempted is never sent again without asking the provider first.
//
// It also keeps the message's last known provider status (by the shared precedence), with an
// outbox: the final status the conversation has not been told yet, written in the same
// single-document write that records it and cleared only after its event is published, so a
// crash between the two loses nothing (a sweep publishes what is left). `queued` (the conversation
// set it itself) fills none; `sent` (a step on the way, published by the report's handler, whose
// own redelivery repeats it) is not even written once the accept is recorded. `checkAt` is when
// the reconciliation next asks the provider about a message whose status is not final.
import {
  BatchedInserts,
  BatchedUpdates,
  type Connection,
  isDuplicateKey,
  KeyedReads,
} from '@sms-inbox/mongo';
import { applyStatus, isFinal, type OutboundStatus } from '@sms-inbox/platform';
import { Schema } from 'mongoose';

export type OutboundState = 'calling' | 'accepted' | 'failed' | 'canceled' | 'retrying';

export interface OutboundRecord {
  _id: string;
  shop: string;
  /** Empty for automatic texts, which belong to no conversation. */
  conversationId: string;
  /** Empty for a HELP answer to a number that is not a subscriber. */
  subscriberId: string;
  to: string;
  /** The sending number used for the provider call (how an unknown outcome is looked up). */
  from: string | null;
  state: OutboundState;
  providerSid: string | null;
  errorCode: number | null;
  /** The last attempt may have reached Twilio (5xx): ask Twilio before the next one. */
  uncertain: boolean;
  /** "<trace id>-<span id>" of the accepted provider call, which status callbacks link to. */
  sendTrace?: string | null;
  attempts: number;
  calledAt: Date | null;
  updatedAt: Date;
  /** The provider's last known status of the message (null until it was accepted). */
  status?: OutboundStatus | null;
  /** What the provider charged, as it reports it ("-0.00790", "USD"). */
  price?: string | null;
  priceUnit?: string | null;
  /** A status the conversation has not been told yet; null when it knows the latest. */
  outbox?: OutboxEntry | null;
  /** When the outbox was filled: the sweep's index. */
  outboxSince?: Date | null;
  /** When the reconciliation next asks the provider; null once the status is final. */
  checkAt?: Date | null;
  /** Look-ups made by the reconciliation so far. */
  checks?: number;
}

export interface OutboxEntry {
  status: OutboundStatus;
  providerSid: string;
  errorCode: number | null;
  at: Date;
}

/** A report of the provider's status: a callback, or what a look-up found. */
export interface StatusReport {
  status: OutboundStatus;
  providerSid: string;
  errorCode: number | null;
  at: Date;
  price?: string | null;
  priceUnit?: string | null;
}

const outboundSchema = new Schema<OutboundRecord>(
  {
    _id: { type: String, required: true },
    shop: { type: String, required: true },
    conversationId: { type: String, default: '' },
    subscriberId: { type: String, default: '' },
    to: { type: String, required: true },
    from: { type: String, default: null },
    state: { type: String, required: true },
    providerSid: { type: String, default: null },
    errorCode: { type: Number, default: null },
    attempts: { type: Number, default: 0 },
    uncertain: { type: Boolean, default: false },
    sendTrace: { type: String, default: null },
    calledAt: { type: Date, default: null },
    updatedAt: { type: Date, required: true },
    status: { type: String, default: null },
    price: { type: String, default: null },
    priceUnit: { type: String, default: null },
    outbox: {
      type: new Schema<OutboxEntry>(
        {
          status: { type: String, required: true },
          providerSid: { type: String, default: '' },
          errorCode: { type: Number, default: null },
          at: { type: Date, required: true },
        },
        { _id: false },
      ),
      default: null,
    },
    outboxSince: { type: Date, default: null },
    checkAt: { type: Date, default: null },
    checks: { type: Number, default: 0 },
  },
  { versionKey: false },
);
// The outbox sweep: statuses recorded but not yet published, oldest first.
outboundSchema.index({ outboxSince: 1 });
// The reconciliation: accepted messages due for a look-up at the provider, oldest due first.
outboundSchema.index({ checkAt: 1 });
// A status callback's message, by the provider's sid (recorded with the accept).
outboundSchema.index({ providerSid: 1 });

/**
 * provider sid → message id, keyed by `_id`: how status callbacks found their message while the
 * local store could look documents up by `_id` only. No longer written (the ledger's `providerSid`
 * index serves the look-up); links stored before are erased with their shop.
 */
interface ProviderSid {
  _id: string;
  messageId: string;
}

const providerSidSchema = new Schema<ProviderSid>(
  { _id: { type: String, required: true }, messageId: { type: String, required: true } },
  { versionKey: false },
);

/** A report that brings more than its status: an error code or the price, which the ledger keeps. */
const carriesMore = (report: StatusReport) =>
  Boolean(report.errorCode) || report.price != null || report.priceUnit != null;

export class OutboundRepository {
  private readonly model;
  private readonly providerSids;
  /** Each send and status callback reads or claims its entry: concurrent ones go as one command. */
  private readonly byId;
  private readonly bySid;
  private readonly inserts;
  /** Each published final status empties its outbox: concurrent clears go as one command. */
  private readonly clears;

  constructor(connection: Connection) {
    this.model = connection.model<OutboundRecord>('Outbound', outboundSchema, 'outbound');
    this.byId = new KeyedReads<OutboundRecord>(this.model.collection);
    this.bySid = new KeyedReads<OutboundRecord>(this.model.collection, { key: 'providerSid' });
    this.inserts = new BatchedInserts<OutboundRecord>(this.model);
    this.clears = new BatchedUpdates(this.model.collection);
    this.providerSids = connection.model<ProviderSid>('ProviderSid', providerSidSchema, 'provider_sids');
  }

  /** The message the provider knows by `providerSid`, once its accept is recorded. */
  findByProviderSid(providerSid: string): Promise<OutboundRecord | null> {
    return this.bySid.find(providerSid);
  }

  async init(): Promise<void> {
    await this.model.createIndexes();
  }

  find(id: string): Promise<OutboundRecord | null> {
    return this.byId.find(id);
  }

  /** Claims the first attempt; false when the message already has a ledger entry. */
  async claim(record: Omit<OutboundRecord, 'updatedAt'>): Promise<boolean> {
    try {
      await this.inserts.insert({ ...record, updatedAt: new Date() });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /** Erases a redacted customer's phone from the ledger (the records stay, anonymous). */
  async eraseSubscriber(shop: string, subscriberId: string): Promise<void> {
    await this.model.updateMany({ shop, subscriberId }, { $set: { to: 'erased', updatedAt: new Date() } });
  }

  /**
   * Deletes the shop's ledger and the provider-sid links stored for it, the links a thousand
   * messages at a time: a shop's whole history is never held in memory at once.
   */
  async eraseShop(shop: string): Promise<void> {
    let ids: string[] = [];
    const dropLinks = async () => {
      if (ids.length) await this.providerSids.deleteMany({ messageId: { $in: ids } });
      ids = [];
    };
    for await (const doc of this.model.find({ shop }, { _id: 1 }).lean<{ _id: string }>().cursor()) {
      ids.push(doc._id);
      if (ids.length >= 1_000) await dropLinks();
    }
    await dropLinks();
    await this.model.deleteMany({ shop });
  }

  async update(id: string, fields: Partial<OutboundRecord>): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: { ...fields, updatedAt: new Date() } });
  }

  /**
   * Records a provider status by precedence, together with `fields`, in one write conditional on
   * the status it was decided on (read and decided again on a miss): right with any number of
   * replicas. A final status that moves fills the outbox (for a conversation's message) and ends
   * the reconciliation's look-ups. Returns the record as written, null when absent.
   */
  async recordStatus(
    id: string,
    report: StatusReport,
    fields: Partial<OutboundRecord> = {},
    /** The entry as the caller last read it, which saves a read when nothing moved since. */
    known?: OutboundRecord,
  ): Promise<{ record: OutboundRecord; moved: boolean } | null> {
    let guess = known;
    for (;;) {
      const entry = guess ?? (await this.find(id));
      guess = undefined;
      if (!entry) return null;
      const current = entry.status ?? null;
      const moved = current === null || applyStatus(current, report.status) !== current;
      const nothingElse = Object.keys(fields).length === 0;
      if (!moved && nothingElse) return { record: entry, moved };
      // A step on the way (`sent`) after the accept, with nothing else to keep, is not written:
      // it changes no decision here (the reconciliation looks up until a final status, and a
      // final status outranks it), and the caller publishes it from the report (ReportStatus).
      // A write saved per reply.
      if (moved && current !== null && nothingElse && !isFinal(report.status) && !carriesMore(report))
        return { record: entry, moved };
      const set: Partial<OutboundRecord> = { ...fields, updatedAt: new Date() };
      // A final status ends the look-ups, also when it came first (a callback before the accept).
      const after = moved ? report.status : current;
      if (after && isFinal(after)) set.checkAt = null;
      if (moved) {
        set.status = report.status;
        if (report.errorCode) set.errorCode = report.errorCode;
        if (report.price != null) set.price = report.price;
        if (report.priceUnit != null) set.priceUnit = report.priceUnit;
        // Only a final status needs the outbox: `queued` is the status the conversation gave the
        // message when it asked for the send (telling it would change nothing there), and `sent`
        // is published by the caller, whose report is redelivered until that publish succeeds
        // (ReportStatus.report); a lost `sent` is overtaken by the final status anyway. A write
        // saved per reply: the clear after the publish.
        if (entry.conversationId && isFinal(report.status)) {
          set.outbox = {
            status: report.status,
            providerSid: report.providerSid || entry.providerSid || '',
            errorCode: report.errorCode,
            at: report.at,
          };
          set.outboxSince = set.updatedAt!;
        }
      }
      const result = await this.model.updateOne({ _id: id, status: current }, { $set: set });
      if (result.matchedCount === 1) return { record: { ...entry, ...set }, moved };
    }
  }

  /** Empties the outbox once `status` was published, unless a newer status filled it meanwhile. */
  clearOutbox(id: string, status: OutboundStatus): Promise<void> {
    return this.clears.update(
      { _id: id, 'outbox.status': status },
      { $set: { outbox: null, outboxSince: null } },
    );
  }

  /** Outboxes filled before `before`, oldest first: what a crash may have left unpublished. */
  pendingOutboxes(before: Date, limit: number): Promise<OutboundRecord[]> {
    return this.model
      .find({ outboxSince: { $lte: before } })
      .sort({ outboxSince: 1 })
      .limit(limit)
      .lean<OutboundRecord[]>()
      .exec();
  }

  /** Accepted messages whose status the provider should be asked about now, oldest due first. */
  dueForCheck(now: Date, limit: number): Promise<OutboundRecord[]> {
    return this.model
      .find({ checkAt: { $lte: now } })
      .sort({ checkAt: 1 })
      .limit(limit)
      .lean<OutboundRecord[]>()
      .exec();
  }

  countDueForCheck(now: Date): Promise<number> {
    return this.model.countDocuments({ checkAt: { $lte: now } }).exec();
  }

  /** The next look-up of a message still not final (null: no more), unless one moved it meanwhile. */
  async scheduleCheck(id: string, checkAt: Date | null, checks: number): Promise<void> {
    await this.model.updateOne(
      { _id: id, checkAt: { $ne: null } },
      { $set: { checkAt, checks, updatedAt: new Date() } },
    );
  }
}
