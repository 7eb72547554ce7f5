// A verified inbound SMS/MMS webhook: resolve the shop, record the receipt (de-duplication by
// MessageSid), publish `ingestion.sms_received.v1`, and only then let the webhook be answered.

import type { Bus } from '@sms-inbox/bus';
import { Events } from '@sms-inbox/contracts';
import { invalid, isE164, notFound, partyHash } from '@sms-inbox/platform';
import type { ReceiptRepository } from '../repositories/receipt.repository.js';
import type { ShopDirectory } from './shop-directory.js';

export interface InboundSmsParams {
  [key: string]: string | undefined;
}

export class ReceiveInboundSms {
  constructor(
    private readonly receipts: ReceiptRepository,
    private readonly shops: ShopDirectory,
    private readonly bus: Bus,
  ) {}

  /** Resolves when the message is durably in JetStream (or was already). */
  async execute(params: InboundSmsParams): Promise<{ duplicate: boolean }> {
    const messageSid = params.MessageSid?.trim();
    const from = params.From?.trim();
    const to = params.To?.trim();
    if (!messageSid || !/^(SM|MM)[0-9a-fA-F]{32}$/.test(messageSid)) {
      throw invalid('invalid_message_sid', 'MessageSid is missing or malformed');
    }
    if (!from || !isE164(from)) throw invalid('invalid_from', 'From must be an E.164 phone number');
    if (!to || !isE164(to)) throw invalid('invalid_to', 'To must be an E.164 phone number');

    const shop = await this.shops.shopFor(to);
    if (!shop) throw notFound('unknown_number', 'no shop sends from this number');

    const receipt = await this.receipts.record({
      _id: `twilio_sms:${messageSid}`,
      source: 'twilio_sms',
      shop,
      party: partyHash(shop, from),
      payload: { ...params },
      receivedAt: new Date(),
    });
    if (receipt.publishedAt) return { duplicate: true };

    const numMedia = Math.min(Number.parseInt(params.NumMedia ?? '0', 10) || 0, 10);
    const media = Array.from({ length: numMedia }, (_, i) => ({
      url: params[`MediaUrl${i}`] ?? '',
      contentType: params[`MediaContentType${i}`] ?? '',
    })).filter((m) => m.url !== '');

    await this.bus.publish(
      Events.smsReceived,
      {
        messageSid,
        accountSid: params.AccountSid ?? '',
        shop,
        from,
        to,
        body: params.Body ?? '',
        media,
        receivedAt: receipt.receivedAt,
      },
      { msgId: `sms:${messageSid}` },
    );
    await this.receipts.markPublished(receipt._id, new Date());
    return { duplicate: false };
  }
}
