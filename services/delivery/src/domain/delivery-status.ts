// Delivery statuses of an outbound message and their precedence, pure. Twilio's callbacks can
// arrive late or out of order; a status applies only if it ranks above the current one, so a
// late `sent` never moves a `delivered` message backwards. Final statuses rank above every
// intermediate one; among finals the first one stays.

export type DeliveryStatus =
  | 'scheduled'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'undelivered'
  | 'failed'
  | 'canceled';

const RANK: Record<DeliveryStatus, number> = {
  scheduled: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  canceled: 4,
};

export const isFinal = (status: DeliveryStatus) => RANK[status] === 4;

/** The status after a report of `next`: `next` if it ranks above `current`, else `current`. */
export function applyStatus(current: DeliveryStatus, next: DeliveryStatus): DeliveryStatus {
  return RANK[next] > RANK[current] ? next : current;
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
