// The precedence of an outbound message's statuses, pure: the one rule by which the delivery
// service (its ledger) and the conversation service (the message the inbox shows) apply reports
// that arrive late or out of order. A status applies only if it ranks above the current one, so
// a late `sent` never moves a `delivered` message backwards; final statuses rank above every
// intermediate one, and among finals the first one stays.

export type OutboundStatus =
  | 'scheduled'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'undelivered'
  | 'failed'
  | 'canceled';

const RANK: Record<OutboundStatus, number> = {
  scheduled: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  canceled: 4,
};

export const isOutboundStatus = (status: string): status is OutboundStatus => status in RANK;

export const isFinalStatus = (status: OutboundStatus) => RANK[status] === 4;

/** Whether a report of `next` moves a message that is at `current`. */
export const ranksAbove = (next: OutboundStatus, current: OutboundStatus) => RANK[next] > RANK[current];
