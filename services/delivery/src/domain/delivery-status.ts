// Delivery statuses of an outbound message as Twilio names them, pure. The ledger keeps the last
// known one by the shared precedence (the platform's outbound-status); the conversation service
// applies the same precedence to its message.
import { applyStatus, isFinal, type OutboundStatus } from '@sms-inbox/platform';

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

/** A provider's status callback, as far as the rule below reads it. */
interface StatusCallback {
  messageStatus: string;
}

/**
 * Which callbacks a later one of the same message makes pointless: a status ranked below the
 * later one's (`sent` once `delivered` came). Handling it would only publish a step the
 * conversation's message skips anyway: a final status also sets the send time.
 */
export const statusSupersession = {
  mayBeSuperseded(event: StatusCallback): boolean {
    const status = fromTwilioStatus(event.messageStatus);
    return status !== null && !isFinal(status);
  },
  supersedes(later: StatusCallback, earlier: StatusCallback): boolean {
    const next = fromTwilioStatus(later.messageStatus);
    const before = fromTwilioStatus(earlier.messageStatus);
    return next !== null && before !== null && next !== before && applyStatus(before, next) === next;
  },
};
