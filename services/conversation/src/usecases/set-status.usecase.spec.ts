import type { ConversationRecord, ConversationRepository } from '../repositories/conversation.repository.js';
import type { AnnounceChange } from './announce-change.js';
import { SetStatusByMerchant } from './set-status.usecase.js';

function setup(status: ConversationRecord['status']) {
  const calls: string[] = [];
  let current = {
    _id: 'c1',
    shop: 'a.myshopify.com',
    status,
    statusChangedAt: new Date(Date.now() + 60_000),
  };
  const conversations = {
    findById: async () => current,
    setStatus: async (
      _shop: string,
      _id: string,
      from: string[],
      to: ConversationRecord['status'],
      at: Date,
      why: { reason: string; actor: string },
    ) => {
      calls.push(
        `set ${from.join('|')} → ${to} by ${why.actor} (${why.reason}) not before ${at >= current.statusChangedAt}`,
      );
      current = { ...current, status: to, statusChangedAt: at };
    },
  } as unknown as ConversationRepository;
  const announce = {
    execute: async () => {
      calls.push('announce');
    },
  } as unknown as AnnounceChange;
  return { calls, set: new SetStatusByMerchant(conversations, announce) };
}

it('resolves an unresolved conversation at an instant no earlier than its last change, and announces it', async () => {
  const { calls, set } = setup('unresolved');
  const out = await set.execute({ shop: 'a.myshopify.com', id: 'c1', action: 'resolve', actor: '42' });
  expect(out.status).toBe('resolved');
  expect(calls).toEqual([
    'set unresolved → resolved by user:42 (merchant_resolved) not before true',
    'announce',
  ]);
});

it('changes and announces nothing when the conversation already has that status', async () => {
  const { calls, set } = setup('resolved');
  await set.execute({ shop: 'a.myshopify.com', id: 'c1', action: 'resolve', actor: '42' });
  expect(calls).toEqual([]);
});

it('keeps an opted-out conversation opted out (409)', async () => {
  const { calls, set } = setup('opted_out');
  await expect(
    set.execute({ shop: 'a.myshopify.com', id: 'c1', action: 'unresolve', actor: '42' }),
  ).rejects.toMatchObject({ code: 'subscriber_opted_out' });
  expect(calls).toEqual([]);
});
