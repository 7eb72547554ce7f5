// A verified inbound SMS/MMS webhook: resolve the shop, look the receipt up (de-duplication by
// MessageSid), publish `ingestion.sms_received.v1`, record the receipt, and only then let the
// webhook be answered.
// A receipt recorded while its shop was being erased is erased again (EraseReceipts.settle).

import type { Bus } from '@sms-inbox/bus';
import { Events } from '@sms-inbox/contracts';
import { invalid, normalizePhone, notFound, partyHash } from '@sms-inbox/platform';
import type { ShopDirectory } from '../domain/ports.js';
import type { Receipt, ReceiptRepository } from '../repositories/receipt.repository.js';
import type { EraseReceipts } from './erase.usecase.js';

export interface InboundSmsParams {
  [key: string]: string | undefined;
}

export class ReceiveInboundSms {
  constructor(
    private readonly receipts: ReceiptRepository,
    private readonly shops: ShopDirectory,
    private readonly bus: Bus,
    private readonly erase: Pick<EraseReceipts, 'settle'>,
  ) {}

  /** Resolves when the message is durably in JetStream (or was already). */
  async execute(
    params: InboundSmsParams,
    options: { receivedAt?: Date } = {},
  ): Promise<{ duplicate: boolean }> {
    const messageSid = params.MessageSid?.trim();
    // Twilio sends E.164; anything that still reads as a phone number is taken in that form.
    const from = normalizePhone(params.From);
    const to = normalizePhone(params.To);
    if (!messageSid || !/^[A-Za-z0-9_-]{2,64}$/.test(messageSid)) {
      throw invalid('invalid_message_sid', 'MessageSid is missing or malformed');
    }
    if (!from) throw invalid('invalid_from', 'From must be a phone number');
    if (!to) throw invalid('invalid_to', 'To must be a phone number');

    const owner = await this.shops.shopFor(to);
    if (!owner) throw notFound('unknown_number', 'no shop sends from this number');
    const { shop } = owner;

    const receiptId = `twilio_sms:${messageSid}`;
    // Already published: a repeat of the delivery, no second effect. Looked up, not left to the
    // broker's de-duplication window: a repeat after it (a replay, a late retry) must not bring
    // back the text of a customer erased meanwhile, whose receipt stays (redacted) to stop it.
    if ((await this.receipts.find(receiptId))?.publishedAt) return { duplicate: true };
    const receivedAt = options.receivedAt ?? new Date();

    const numMedia = Math.min(Number.parseInt(params.NumMedia ?? '0', 10) || 0, 10);
    const media = Array.from({ length: numMedia }, (_, i) => ({
      url: params[`MediaUrl${i}`] ?? '',
      contentType: params[`MediaContentType${i}`] ?? '',
    })).filter((m) => m.url !== '');

    const published = await this.bus.publish(
      Events.smsReceived,
      {
        messageSid,
        accountSid: params.AccountSid ?? '',
        shop,
        from,
        to,
        body: params.Body ?? '',
        media,
        receivedAt,
      },
      { msgId: `sms:${messageSid}` },
    );
    // Recorded after JetStream's ack: a crash before this line is repaired by the sender's retry,
    // whose publish the stream's Nats-Msg-Id window (and the consumers) de-duplicate.
    const receipt: Receipt = {
      _id: receiptId,
      source: 'twilio_sms',
      shop,
      party: partyHash(shop, from),
      payload: { ...params },
      receivedAt,
      publishedAt: new Date(),
    };
    const first = await this.receipts.recordPublished(receipt);
    await this.erase.settle(receipt, owner.asOf);
    return { duplicate: published.duplicate || !first };
  }
}
