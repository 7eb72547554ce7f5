import { moveApplies, nextStatus } from './conversation-status.js';

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

describe('moveApplies', () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 12, minute));
  const resolvedByReplyAt5 = { status: 'resolved' as const, statusChangedAt: at(5), subscriberVersion: 2 };

  it('lets an opt-out win over a reply that moved the conversation after it', () => {
    const optOut = { allowedFrom: ['resolved', 'unresolved'] as const, to: 'opted_out' as const };
    expect(moveApplies(resolvedByReplyAt5, { ...optOut, causeAt: at(1), subscriberVersion: 3 })).toBe(true);
  });

  it('ignores a consent move older than the subscriber version the conversation holds', () => {
    const optedOut = { status: 'opted_out' as const, statusChangedAt: at(1), subscriberVersion: 4 };
    const staleOptIn = { allowedFrom: ['opted_out'] as const, to: 'resolved' as const, subscriberVersion: 3 };
    expect(moveApplies(optedOut, { ...staleOptIn, causeAt: at(9) })).toBe(false);
    expect(moveApplies(optedOut, { ...staleOptIn, causeAt: at(9), subscriberVersion: 5 })).toBe(true);
  });

  it('never lets a text or a reply move an opted-out conversation, whatever its time', () => {
    const optedOut = { status: 'opted_out' as const, statusChangedAt: at(1), subscriberVersion: 3 };
    const text = {
      allowedFrom: ['resolved', 'unresolved'] as const,
      to: 'unresolved' as const,
      causeAt: at(9),
    };
    expect(moveApplies(optedOut, text)).toBe(false);
  });

  it('applies other moves only when caused after the last change', () => {
    const text = { allowedFrom: ['resolved', 'unresolved'] as const, to: 'unresolved' as const };
    expect(moveApplies(resolvedByReplyAt5, { ...text, causeAt: at(4) })).toBe(false);
    expect(moveApplies(resolvedByReplyAt5, { ...text, causeAt: at(6) })).toBe(true);
  });
});
