// Conversation statuses and the events that move them (DESIGN.md §1 Conversations), pure.

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
