// Texts from numbers that were not subscribers when they were handled, kept for a day. A
// checkout's consent webhook and the customer's first text travel on different streams, so the
// text can be handled first; when that number then subscribes, its held texts are handled again
// (docs/architecture.md, "Texts that arrive before their subscriber"). Nothing else reads them.
// An erasure of the number or the shop is recorded (ErasureLog) before the texts are deleted,
// and a text held meanwhile finds it and drops itself.
import type { ingestionV1 } from '@sms-inbox/contracts';
import type { Connection, ErasureLog } from '@sms-inbox/mongo';
import { partyHash } from '@sms-inbox/platform';
import { Schema } from 'mongoose';

/** How long a stranger's text is kept for a subscription that may follow it. */
export const HOLD_MS = 24 * 60 * 60 * 1000;

export interface HeldText {
  /** The MessageSid: holding the same text twice keeps one. */
  _id: string;
  shop: string;
  /** E.164, as the subscriber would be stored. */
  phone: string;
  from: string;
  to: string;
  accountSid: string;
  body: string;
  media: Array<{ url: string; contentType: string }>;
  receivedAt: Date;
  heldAt: Date;
}

const heldTextSchema = new Schema<HeldText>(
  {
    _id: { type: String, required: true },
    shop: { type: String, required: true },
    phone: { type: String, required: true },
    from: { type: String, required: true },
    to: { type: String, default: '' },
    accountSid: { type: String, default: '' },
    body: { type: String, default: '' },
    media: { type: [{ _id: false, url: String, contentType: String }], default: [] },
    receivedAt: { type: Date, required: true },
    heldAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
// Serves `of` (a number's held texts, oldest first) and customers/redact.
heldTextSchema.index({ shop: 1, phone: 1, receivedAt: 1 });
// Serves the pruning of a shop's expired texts and shop/redact.
heldTextSchema.index({ shop: 1, heldAt: 1 });

export class HeldTextRepository {
  private readonly model;

  constructor(
    connection: Connection,
    private readonly erasures: ErasureLog,
  ) {
    this.model = connection.model<HeldText>('HeldText', heldTextSchema, 'held_texts');
  }

  async init(): Promise<void> {
    await this.model.createIndexes();
  }

  /**
   * Keeps the text (once per MessageSid) and drops the shop's texts held longer than HOLD_MS.
   * False when an erasure of the number or the shop since the text came in dropped it again.
   */
  async hold(phone: string, sms: ingestionV1.SmsReceived, now = new Date()): Promise<boolean> {
    const text: HeldText = {
      _id: sms.messageSid,
      shop: sms.shop,
      phone,
      from: sms.from,
      to: sms.to,
      accountSid: sms.accountSid,
      body: sms.body,
      media: sms.media.map((m) => ({ url: m.url, contentType: m.contentType })),
      receivedAt: sms.receivedAt ?? now,
      heldAt: now,
    };
    const { _id, ...fields } = text;
    await this.model.updateOne({ _id }, { $setOnInsert: fields }, { upsert: true });
    await this.model.deleteMany({ shop: sms.shop, heldAt: { $lt: new Date(now.getTime() - HOLD_MS) } });
    if (await this.erasures.covering(sms.shop, partyHash(sms.shop, phone), text.receivedAt)) {
      await this.remove(sms.shop, _id);
      return false;
    }
    return true;
  }

  /** The number's held texts, oldest first. */
  async of(shop: string, phone: string): Promise<HeldText[]> {
    return this.model.find({ shop, phone }).sort({ receivedAt: 1 }).limit(100).lean<HeldText[]>().exec();
  }

  async remove(shop: string, id: string): Promise<void> {
    await this.model.deleteOne({ _id: id, shop });
  }

  /** Erases the number's texts (customers/redact). */
  async eraseNumber(shop: string, phone: string): Promise<void> {
    await this.erasures.record(shop, partyHash(shop, phone), new Date());
    await this.model.deleteMany({ shop, phone });
  }

  /** Erases the shop's texts (shop/redact). */
  async eraseShop(shop: string): Promise<void> {
    await this.erasures.record(shop, null, new Date());
    await this.model.deleteMany({ shop });
  }
}

/** The text as ingestion published it, to be handled again. */
export function heldToSms(text: HeldText): ingestionV1.SmsReceived {
  return {
    messageSid: text._id,
    accountSid: text.accountSid,
    shop: text.shop,
    from: text.from,
    to: text.to,
    body: text.body,
    media: (text.media ?? []).map((m) => ({ url: m.url, contentType: m.contentType })),
    receivedAt: new Date(text.receivedAt),
  };
}
