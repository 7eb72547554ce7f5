// Delivery statuses of an outbound message, pure: their precedence is @sms-inbox/platform's
// (shared with the conversation service, which applies the same reports to the inbox's message),
// and Twilio's names for them.
import { isFinalStatus, type OutboundStatus, ranksAbove } from '@sms-inbox/platform';

export type DeliveryStatus = OutboundStatus;

export const isFinal = (status: DeliveryStatus) => isFinalStatus(status);

/** The status after a report of `next`: `next` if it ranks above `current`, else `current`. */
export function applyStatus(current: DeliveryStatus, next: DeliveryStatus): DeliveryStatus {
  return ranksAbove(next, current) ? next : current;
}

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
