import { nextStatus } from './conversation-status.js';

describe('nextStatus', () => {
  it.each([
    ['resolved', 'subscriber_wrote', 'unresolved'],
    ['unresolved', 'subscriber_wrote', 'unresolved'],
    ['unresolved', 'reply_sent', 'resolved'],
    ['unresolved', 'merchant_resolved', 'resolved'],
    ['resolved', 'merchant_unresolved', 'unresolved'],
    ['unresolved', 'subscriber_opted_out', 'opted_out'],
    ['opted_out', 'subscriber_wrote', 'opted_out'],
    ['opted_out', 'merchant_unresolved', 'opted_out'],
    ['opted_out', 'subscriber_opted_in', 'resolved'],
    ['unresolved', 'subscriber_opted_in', 'unresolved'],
  ] as const)('%s + %s → %s', (from, event, to) => {
    expect(nextStatus(from, { kind: event })).toBe(to);
  });
});
