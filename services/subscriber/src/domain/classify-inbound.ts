// What an inbound text means for consent, decided on the whole message (DESIGN.md §1 Consent).
// Matching folds case, trims surrounding white space and trailing punctuation, and normalises
// Unicode (NFKC, so full-width letters count); anything more than the single word is a reply.

export const STOP_WORDS = [
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'REVOKE',
  'OPTOUT',
] as const;
export const START_WORDS = ['START', 'UNSTOP', 'YES'] as const;
export const HELP_WORDS = ['HELP', 'INFO'] as const;

export type SubscriberState = 'unknown' | 'active' | 'opted_out';

export type InboundIntent =
  | { kind: 'opt_out' }
  | { kind: 'opt_in'; via: 'start' | 'keyword' }
  | { kind: 'help' }
  | { kind: 'reply' }
  | { kind: 'ignored'; reason: 'unknown_sender' | 'already_subscribed' | 'already_opted_out' };

/** "  Stop! " → "STOP"; keeps inner spaces so "stop it" stays two words. */
export function normalizeWord(text: string): string {
  return text
    .normalize('NFKC')
    .trim()
    .replace(/[\s.!?,;:'"()*~-]+$/u, '')
    .replace(/^[\s.!?,;:'"()*~-]+/u, '')
    .toUpperCase();
}

export function classifyInbound(
  text: string,
  keywords: readonly string[],
  state: SubscriberState,
): InboundIntent {
  const word = normalizeWord(text);
  const isKeyword = keywords.some((k) => normalizeWord(k) === word);
  if ((STOP_WORDS as readonly string[]).includes(word)) {
    if (state === 'active') return { kind: 'opt_out' };
    return { kind: 'ignored', reason: state === 'unknown' ? 'unknown_sender' : 'already_opted_out' };
  }
  if ((START_WORDS as readonly string[]).includes(word) || isKeyword) {
    const via = isKeyword ? 'keyword' : 'start';
    if (state === 'active')
      return isKeyword ? { kind: 'ignored', reason: 'already_subscribed' } : { kind: 'reply' };
    if (state === 'opted_out' || isKeyword) return { kind: 'opt_in', via };
    return { kind: 'ignored', reason: 'unknown_sender' };
  }
  if ((HELP_WORDS as readonly string[]).includes(word)) return { kind: 'help' };
  if (state === 'unknown') return { kind: 'ignored', reason: 'unknown_sender' };
  return { kind: 'reply' };
}
