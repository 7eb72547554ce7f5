import type { ConversationRecord, ConversationRepository } from '../repositories/conversation.repository.js';
import type { MessageRecord, MessageRepository } from '../repositories/message.repository.js';
import type { AnnounceChange } from './announce-change.js';
import { AppendInboundReply } from './append-inbound-reply.usecase.js';

const subscriber = { id: 's1', shop: 'a.myshopify.com', phone: '+14155550101', status: 'active' };

function setup(options: { existing?: boolean; erased?: boolean; version?: number } = {}) {
  const calls: string[] = [];
  const conversation = { _id: 'c1', subscriber: { version: options.version ?? 0 } } as ConversationRecord;
  const conversations = {
    findBySubscriber: async () => (options.existing === false ? null : conversation),
    findOrCreate: async () => {
      calls.push('conversation found or opened');
      return conversation;
    },
    recordMessage: async (_shop: string, _id: string, m: MessageRecord, move?: { to: string }) => {
      calls.push(`record ${m.text}${move ? ` → ${move.to}` : ''}`);
      return conversation;
    },
  } as unknown as ConversationRepository;
  const messages = {
    insertOnce: async (m: MessageRecord) => {
      calls.push(`insert ${m.dedupeKey}`);
      return m;
    },
  } as unknown as MessageRepository;
  const announce = {
    execute: async () => {
      calls.push('announce');
    },
  } as unknown as AnnounceChange;
  const erase = {
    settle: async () => {
      if (options.erased) calls.push('erased again');
      return Boolean(options.erased);
    },
  };
  const changes = {
    catchUp: async () => {
      calls.push('catch up with the subscriber');
    },
  };
  return { calls, append: new AppendInboundReply(conversations, messages, announce, erase, changes) };
}

const text = (body: string, consentWord = false) =>
  ({
    shop: 'a.myshopify.com',
    messageSid: 'SM1',
    subscriber,
    body,
    media: [],
    consentWord,
    receivedAt: new Date('2026-11-30T10:00:00Z'),
  }) as never;

it('appends a text to the subscriber’s one conversation, marks it unresolved, announces it, then catches up', async () => {
  const { calls, append } = setup();
  await append.execute(text('where is my order?'));
  expect(calls).toEqual([
    'conversation found or opened',
    'insert in:SM1',
    'record where is my order? → unresolved',
    'announce',
    'catch up with the subscriber',
  ]);
});

it('keeps a consent word in an existing history without moving the status, and opens no conversation for it', async () => {
  const existing = setup({ version: 3 });
  await existing.append.execute(text('STOP', true));
  expect(existing.calls).toEqual(['insert in:SM1', 'record STOP', 'announce']);
  const none = setup({ existing: false });
  await none.append.execute(text('JOIN', true));
  expect(none.calls).toEqual([]);
});

it('announces nothing when an erasure of the customer ran meanwhile: it wins', async () => {
  const { calls, append } = setup({ erased: true });
  await append.execute(text('hello'));
  expect(calls.at(-1)).toBe('erased again');
  expect(calls).not.toContain('announce');
});
