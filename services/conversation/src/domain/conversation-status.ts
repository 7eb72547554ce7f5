// Conversation statuses and the events that move them (docs/architecture.md, "Product rules"), pure.

export type ConversationStatus = 'unresolved' | 'resolved' | 'opted_out';
export type SubscriberStatus = 'active' | 'opted_out';

export type StatusEvent =
  | { kind: 'subscriber_wrote' }
  | { kind: 'reply_sent' }
  | { kind: 'merchant_resolved' }
  | { kind: 'merchant_unresolved' }
  | { kind: 'subscriber_opted_out' }
  | { kind: 'subscriber_opted_in' };

/** The status after `event`; an opted-out conversation moves only when the subscriber opts in. */
export function nextStatus(current: ConversationStatus, event: StatusEvent): ConversationStatus {
  if (event.kind === 'subscriber_opted_out') return 'opted_out';
  if (current === 'opted_out') return event.kind === 'subscriber_opted_in' ? 'resolved' : 'opted_out';
  switch (event.kind) {
    case 'subscriber_wrote':
    case 'merchant_unresolved':
      return 'unresolved';
    case 'reply_sent':
    case 'merchant_resolved':
      return 'resolved';
    case 'subscriber_opted_in':
      return current;
  }
}

/** A status change asked for, and what decides whether it still applies. */
export interface StatusMoveRule {
  allowedFrom: readonly ConversationStatus[];
  to: ConversationStatus;
  /** When its cause happened (a text, a reply, a click). */
  causeAt: Date;
  /**
   * A consent move (into or out of `opted_out`): the version of the subscriber it comes from.
   * Consent is ordered by the subscriber's versions, not by clocks.
   */
  subscriberVersion?: number;
}

/**
 * Whether `move` applies to a conversation now: allowed from its status, and then, for a consent
 * move, unless the conversation already holds a newer version of its subscriber (so an opt-out
 * wins over whatever a reply or a text moved meanwhile, whatever their times, and a stale one
 * never undoes a later opt-in); for any other move, when caused after the last change.
 */
export function moveApplies(
  current: { status: ConversationStatus; statusChangedAt: Date; subscriberVersion: number },
  move: StatusMoveRule,
): boolean {
  if (!move.allowedFrom.includes(current.status)) return false;
  if (move.subscriberVersion !== undefined) return current.subscriberVersion <= move.subscriberVersion;
  return current.statusChangedAt <= move.causeAt;
}
