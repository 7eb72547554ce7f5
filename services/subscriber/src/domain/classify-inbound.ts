// What an inbound text means for consent, decided on the whole message (docs/architecture.md, "Product rules").
//
// Matching rule (as Twilio and US carriers treat opt-out words): the message is one of the words
// after
//   - Unicode NFKC normalisation (full-width "ＳＴＯＰ" is "STOP"),
//   - removing invisible format characters (zero-width space, joiners, BOM),
//   - trimming white space and punctuation at both ends ("Stop!", "'stop'", "STOP." match),
//   - upper-casing (case-insensitive).
// Anything else is not a command: a second word ("stop it", "STOP please"), an inner hyphen or
// space ("opt-out", "OPT OUT"), emoji, or the word written in another script ("СТОП", "停止"),
// which is an ordinary reply for the merchant to read.

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
    .replace(/\p{Cf}/gu, '')
    .replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '')
    .toUpperCase();
}

const isOneOf = (word: string, words: readonly string[]) => words.includes(word);

export function classifyInbound(
  text: string,
  keywords: readonly string[],
  state: SubscriberState,
): InboundIntent {
  const word = normalizeWord(text);
  const isKeyword = word !== '' && keywords.some((k) => normalizeWord(k) === word);
  if (isOneOf(word, STOP_WORDS)) {
    if (state === 'active') return { kind: 'opt_out' };
    return { kind: 'ignored', reason: state === 'unknown' ? 'unknown_sender' : 'already_opted_out' };
  }
  if (isKeyword) {
    return state === 'active'
      ? { kind: 'ignored', reason: 'already_subscribed' }
      : { kind: 'opt_in', via: 'keyword' };
  }
  if (isOneOf(word, START_WORDS)) {
    if (state === 'opted_out') return { kind: 'opt_in', via: 'start' };
    // "YES" from an active subscriber is a reply the merchant should read.
    return state === 'active' ? { kind: 'reply' } : { kind: 'ignored', reason: 'unknown_sender' };
  }
  if (isOneOf(word, HELP_WORDS)) return { kind: 'help' };
  if (state === 'unknown') return { kind: 'ignored', reason: 'unknown_sender' };
  return { kind: 'reply' };
}

/** Whether the text was a consent or help command (kept in history, opens no conversation). */
export function isCommandWord(text: string, keywords: readonly string[]): boolean {
  const word = normalizeWord(text);
  return (
    isOneOf(word, STOP_WORDS) ||
    isOneOf(word, HELP_WORDS) ||
    (isOneOf(word, START_WORDS) && word !== 'YES') ||
    keywords.some((k) => normalizeWord(k) === word)
  );
}
