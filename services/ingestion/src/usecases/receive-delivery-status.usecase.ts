// A verified Twilio status callback: published as `ingestion.delivery_status.v1` for delivery,
// answered only after JetStream acked. No receipt is written: the publish is keyed by
// (MessageSid, MessageStatus), so JetStream's de-duplication drops a repeat within its window,
// and delivery applies statuses by precedence, so a repeat after it changes nothing. The stream
// keeps the callback's fields for as long as a receipt would have (replay from the stream).
import type { Bus } from '@sms-inbox/bus';
import { Events } from '@sms-inbox/contracts';
import { invalid } from '@sms-inbox/platform';

export class ReceiveDeliveryStatus {
  constructor(private readonly bus: Pick<Bus, 'publish'>) {}

  async execute(params: Record<string, string | undefined>): Promise<{ duplicate: boolean }> {
    const messageSid = params.MessageSid?.trim() ?? '';
    const status = (params.MessageStatus ?? params.SmsStatus ?? '').trim().toLowerCase();
    if (!/^[A-Za-z0-9_-]{2,64}$/.test(messageSid))
      throw invalid('invalid_message_sid', 'MessageSid is missing or malformed');
    if (!/^[a-z_]{2,20}$/.test(status))
      throw invalid('invalid_message_status', 'MessageStatus is missing or malformed');
    const errorCode = Number.parseInt(params.ErrorCode ?? '0', 10) || 0;
    const { duplicate } = await this.bus.publish(
      Events.deliveryStatusReceived,
      {
        messageSid,
        accountSid: params.AccountSid ?? '',
        messageStatus: status,
        errorCode,
        receivedAt: new Date(),
      },
      { msgId: `status:${messageSid}:${status}` },
    );
    return { duplicate };
  }
}
