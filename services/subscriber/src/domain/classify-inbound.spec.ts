import { classifyInbound, normalizeWord } from './classify-inbound.js';

const keywords = ['JOIN', 'Deals'];

describe('classifyInbound', () => {
  it.each([
    ['STOP', 'active', 'opt_out'],
    [' stop ', 'active', 'opt_out'],
    ['Stop!', 'active', 'opt_out'],
    ['ＳＴＯＰ', 'active', 'opt_out'],
    ['unsubscribe', 'active', 'opt_out'],
    ['stop it please', 'active', 'reply'],
    ['STOP', 'opted_out', 'ignored'],
    ['STOP', 'unknown', 'ignored'],
    ['START', 'opted_out', 'opt_in'],
    ['yes', 'opted_out', 'opt_in'],
    ['START', 'active', 'reply'],
    ['join', 'unknown', 'opt_in'],
    ['deals.', 'unknown', 'opt_in'],
    ['JOIN', 'active', 'ignored'],
    ['JOIN', 'opted_out', 'opt_in'],
    ['HELP', 'active', 'help'],
    ['info', 'unknown', 'help'],
    ['Is my order shipped?', 'active', 'reply'],
    ['Is my order shipped?', 'unknown', 'ignored'],
    ['Is my order shipped?', 'opted_out', 'reply'],
  ] as const)('%j from a %s number is %s', (text, state, kind) => {
    expect(classifyInbound(text, keywords, state).kind).toBe(kind);
  });

  it('keeps inner spaces, so a phrase is never a keyword', () => {
    expect(normalizeWord('  join now ')).toBe('JOIN NOW');
  });
});
