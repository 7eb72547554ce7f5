// Delivery statuses of an outbound message as Twilio names them, pure. The delivery service
// relays them; the conversation service applies them by precedence (its domain/message-status).

export type DeliveryStatus =
  | 'scheduled'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'undelivered'
  | 'failed'
  | 'canceled';

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
