// A verified Twilio status callback: de-duplicated by (MessageSid, MessageStatus), published
// as `ingestion.delivery_status.v1` for delivery, answered only after JetStream acked.
import type { Bus } from '@sms-inbox/bus';
import { Events } from '@sms-inbox/contracts';
import { invalid } from '@sms-inbox/platform';
import type { ReceiptRepository } from '../repositories/receipt.repository.js';

export class ReceiveDeliveryStatus {
  constructor(
    private readonly receipts: ReceiptRepository,
    private readonly bus: Bus,
  ) {}

  async execute(params: Record<string, string | undefined>): Promise<{ duplicate: boolean }> {
    const messageSid = params.MessageSid?.trim() ?? '';
    const status = (params.MessageStatus ?? params.SmsStatus ?? '').trim().toLowerCase();
    if (!/^[A-Za-z0-9_-]{2,64}$/.test(messageSid))
      throw invalid('invalid_message_sid', 'MessageSid is missing or malformed');
    if (!/^[a-z_]{2,20}$/.test(status))
      throw invalid('invalid_message_status', 'MessageStatus is missing or malformed');
    const errorCode = Number.parseInt(params.ErrorCode ?? '0', 10) || 0;
    const receiptId = `twilio_status:${messageSid}:${status}`;
    if ((await this.receipts.find(receiptId))?.publishedAt) return { duplicate: true };
    const receivedAt = new Date();
    await this.bus.publish(
      Events.deliveryStatusReceived,
      { messageSid, accountSid: params.AccountSid ?? '', messageStatus: status, errorCode, receivedAt },
      { msgId: `status:${messageSid}:${status}` },
    );
    await this.receipts.recordPublished({
      _id: receiptId,
      source: 'twilio_status',
      shop: null,
      party: null,
      payload: { MessageSid: messageSid, MessageStatus: status, ErrorCode: String(errorCode) },
      receivedAt,
      publishedAt: new Date(),
    });
    return { duplicate: false };
  }
}
