// The consent state machine (docs/architecture.md, "Product rules"), pure: whether a requested change applies,
// and which automatic answer it owes the subscriber.

export type ConsentStatus = 'active' | 'opted_out';
export type ConsentSource = 'keyword' | 'consent_word' | 'checkout' | 'merchant' | 'carrier';
export type AutoReplyKind = 'opt_in_confirmation' | 'help' | 'opt_out_confirmation';

export interface ConsentRecord {
  status: ConsentStatus;
  /** When the current status was decided (by its cause's own time). */
  consentAt: Date | null;
}

export type ConsentDecision =
  | { apply: true; from: ConsentStatus | 'none'; to: ConsentStatus; reply: AutoReplyKind | null }
  | { apply: false; why: 'unchanged' | 'stale' };

/**
 * Decides a consent change requested by `source` at `at` (the cause's own time: a text's
 * arrival, a webhook's consent_updated_at). A change older than the current decision is stale
 * and ignored, so webhooks arriving out of order never undo a newer choice.
 */
export function decideConsent(
  current: ConsentRecord | null,
  to: ConsentStatus,
  source: ConsentSource,
  at: Date,
): ConsentDecision {
  if (current?.status === to) return { apply: false, why: 'unchanged' };
  if (current?.consentAt && at.getTime() < current.consentAt.getTime()) return { apply: false, why: 'stale' };
  return { apply: true, from: current?.status ?? 'none', to, reply: autoReplyFor(to, source) };
}

/**
 * The subscriber's own texts get a confirmation (keyword or START: opt-in confirmation; STOP:
 * the one opt-out confirmation). Changes made elsewhere (checkout, the merchant, a carrier
 * error) send nothing: nobody asked by text, and an opted-out number gets nothing.
 */
export function autoReplyFor(to: ConsentStatus, source: ConsentSource): AutoReplyKind | null {
  if (source === 'keyword' || source === 'consent_word')
    return to === 'active' ? 'opt_in_confirmation' : 'opt_out_confirmation';
  return null;
}
