import { classifyInbound, isCommandWord, normalizeWord } from './classify-inbound.js';

const keywords = ['JOIN', 'Deals'];

describe('classifyInbound', () => {
  it.each([
    // The STOP family, whatever the case, spacing and surrounding punctuation.
    ['STOP', 'active', 'opt_out'],
    ['stop', 'active', 'opt_out'],
    ['Stop', 'active', 'opt_out'],
    [' stop ', 'active', 'opt_out'],
    ['\tSTOP\n', 'active', 'opt_out'],
    ['Stop!', 'active', 'opt_out'],
    ['STOP.', 'active', 'opt_out'],
    ['"stop"', 'active', 'opt_out'],
    ['¡stop!', 'active', 'opt_out'],
    ['ＳＴＯＰ', 'active', 'opt_out'],
    ['S\u200bTOP', 'active', 'opt_out'],
    ['\ufeffSTOP', 'active', 'opt_out'],
    ['stopall', 'active', 'opt_out'],
    ['Unsubscribe', 'active', 'opt_out'],
    ['cancel', 'active', 'opt_out'],
    ['END', 'active', 'opt_out'],
    ['quit', 'active', 'opt_out'],
    ['revoke', 'active', 'opt_out'],
    ['OptOut', 'active', 'opt_out'],
    // Not a single opt-out word: an ordinary reply.
    ['stop it please', 'active', 'reply'],
    ['STOP STOP', 'active', 'reply'],
    ['opt-out', 'active', 'reply'],
    ['OPT OUT', 'active', 'reply'],
    ['stopp', 'active', 'reply'],
    ['🛑', 'active', 'reply'],
    ['СТОП', 'active', 'reply'],
    ['停止', 'active', 'reply'],
    ['please end my subscription', 'active', 'reply'],
    // A second STOP, or STOP from a stranger, changes nothing.
    ['STOP', 'opted_out', 'ignored'],
    ['stop!', 'opted_out', 'ignored'],
    ['STOP', 'unknown', 'ignored'],
    // The START family re-subscribes an opted-out number.
    ['START', 'opted_out', 'opt_in'],
    ['unstop', 'opted_out', 'opt_in'],
    ['yes', 'opted_out', 'opt_in'],
    ['Yes!', 'opted_out', 'opt_in'],
    ['START', 'active', 'reply'],
    ['yes', 'active', 'reply'],
    ['START', 'unknown', 'ignored'],
    // Shop keywords: opt-in for strangers and opted-out numbers, nothing new for subscribers.
    ['join', 'unknown', 'opt_in'],
    ['JOIN!', 'unknown', 'opt_in'],
    ['deals.', 'unknown', 'opt_in'],
    [' Deals ', 'unknown', 'opt_in'],
    ['JOIN', 'active', 'ignored'],
    ['JOIN', 'opted_out', 'opt_in'],
    ['join now', 'unknown', 'ignored'],
    // HELP and INFO.
    ['HELP', 'active', 'help'],
    ['help?', 'active', 'help'],
    ['info', 'unknown', 'help'],
    ['INFO', 'opted_out', 'help'],
    ['help me please', 'active', 'reply'],
    // Everything else.
    ['Is my order shipped?', 'active', 'reply'],
    ['Is my order shipped?', 'unknown', 'ignored'],
    ['Is my order shipped?', 'opted_out', 'reply'],
    ['', 'active', 'reply'],
    ['   ', 'unknown', 'ignored'],
  ] as const)('%j from a number that is %s → %s', (text, state, kind) => {
    expect(classifyInbound(text, keywords, state).kind).toBe(kind);
  });

  it('keeps inner spaces, so a phrase is never a keyword', () => {
    expect(normalizeWord('  join now ')).toBe('JOIN NOW');
  });

  it('tells command words (kept in history, no conversation opened) from replies', () => {
    expect(isCommandWord('Stop!', keywords)).toBe(true);
    expect(isCommandWord('join', keywords)).toBe(true);
    expect(isCommandWord('help', keywords)).toBe(true);
    expect(isCommandWord('yes', keywords)).toBe(false);
    expect(isCommandWord('where is my order', keywords)).toBe(false);
  });
});
