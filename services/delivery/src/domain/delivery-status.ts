// Delivery statuses of an outbound message as Twilio names them, pure. The ledger keeps the last
// known one by the shared precedence (the platform's outbound-status); the conversation service
// applies the same precedence to its message.
import type { OutboundStatus } from '@sms-inbox/platform';

export type DeliveryStatus = OutboundStatus;

/** Twilio's MessageStatus values as ours; null for one we do not know. */
export function fromTwilioStatus(value: string): DeliveryStatus | null {
  const map: Record<string, DeliveryStatus> = {
    accepted: 'queued',
    scheduled: 'queued',
    queued: 'queued',
    sending: 'sending',
    sent: 'sent',
    delivered: 'delivered',
    read: 'delivered',
    undelivered: 'undelivered',
    failed: 'failed',
    canceled: 'canceled',
  };
  return map[value.toLowerCase()] ?? null;
}
