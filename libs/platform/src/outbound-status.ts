// The precedence of an outbound message's statuses, pure, shared by the two services that keep
// one: delivery (its ledger's last known provider status) and conversation (the message's).
// Reports (Twilio's callbacks, the reconciliation's look-ups) arrive late or out of order; a
// status applies only if it ranks above the current one, so a late `sent` never moves a
// `delivered` message backwards. Final statuses rank above every intermediate one; among finals
// the first one stays.

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

export const isFinal = (status: OutboundStatus) => RANK[status] === 4;

/** The status after a report of `next`: `next` if it ranks above `current`, else `current`. */
export function applyStatus(current: OutboundStatus, next: OutboundStatus): OutboundStatus {
  return RANK[next] > RANK[current] ? next : current;
}

/** The statuses a report of `next` moves a message from: every one it ranks above. */
export function statusesBelow(next: OutboundStatus): OutboundStatus[] {
  return (Object.keys(RANK) as OutboundStatus[]).filter((s) => RANK[next] > RANK[s]);
}
