import { decideConsent } from './consent.js';

const t = (iso: string) => new Date(iso);
const active = { status: 'active' as const, consentAt: t('2026-01-02T00:00:00Z') };
const optedOut = { status: 'opted_out' as const, consentAt: t('2026-01-02T00:00:00Z') };
const later = t('2026-01-03T00:00:00Z');
const earlier = t('2026-01-01T00:00:00Z');

describe('decideConsent', () => {
  it('creates an active subscriber from a keyword with an opt-in confirmation', () => {
    expect(decideConsent(null, 'active', 'keyword', later)).toEqual({
      apply: true,
      from: 'none',
      to: 'active',
      reply: 'opt_in_confirmation',
    });
  });

  it('opts out on STOP with exactly one opt-out confirmation', () => {
    expect(decideConsent(active, 'opted_out', 'consent_word', later)).toEqual({
      apply: true,
      from: 'active',
      to: 'opted_out',
      reply: 'opt_out_confirmation',
    });
  });

  it('does nothing for a second STOP', () => {
    expect(decideConsent(optedOut, 'opted_out', 'consent_word', later)).toEqual({
      apply: false,
      why: 'unchanged',
    });
  });

  it('re-subscribes on START with an opt-in confirmation', () => {
    expect(decideConsent(optedOut, 'active', 'consent_word', later)).toMatchObject({
      apply: true,
      reply: 'opt_in_confirmation',
    });
  });

  it.each(['checkout', 'merchant', 'carrier'] as const)('sends nothing for a change made by %s', (source) => {
    expect(decideConsent(active, 'opted_out', source, later)).toMatchObject({ apply: true, reply: null });
  });

  it('ignores a checkout consent older than the current decision (webhooks out of order)', () => {
    expect(decideConsent(optedOut, 'active', 'checkout', earlier)).toEqual({ apply: false, why: 'stale' });
    expect(decideConsent(active, 'opted_out', 'checkout', earlier)).toEqual({ apply: false, why: 'stale' });
  });

  it('applies a checkout consent newer than the current decision', () => {
    expect(decideConsent(optedOut, 'active', 'checkout', later)).toMatchObject({ apply: true, to: 'active' });
  });
});
