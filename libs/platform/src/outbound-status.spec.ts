import { applyStatus, isFinal } from './outbound-status.js';

describe('applyStatus', () => {
  it.each([
    ['queued', 'sent', 'sent'],
    ['sent', 'delivered', 'delivered'],
    ['queued', 'delivered', 'delivered'],
    ['delivered', 'sent', 'delivered'],
    ['delivered', 'queued', 'delivered'],
    ['sent', 'undelivered', 'undelivered'],
    ['undelivered', 'delivered', 'undelivered'],
    ['failed', 'sent', 'failed'],
    ['scheduled', 'canceled', 'canceled'],
    ['canceled', 'queued', 'canceled'],
    ['sending', 'sent', 'sent'],
  ] as const)('%s then %s → %s', (current, next, expected) => {
    expect(applyStatus(current, next)).toBe(expected);
  });

  it('knows the final statuses', () => {
    expect(['delivered', 'undelivered', 'failed', 'canceled'].every((s) => isFinal(s as never))).toBe(true);
    expect(isFinal('sent')).toBe(false);
  });
});
