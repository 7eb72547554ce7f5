import type { ErasureLog } from '@sms-inbox/mongo';
import type { ConversationRepository } from '../repositories/conversation.repository.js';
import type { MessageRepository } from '../repositories/message.repository.js';
import type { ShopSettingsRepository } from '../repositories/shop-settings.repository.js';
import { Erase } from './erase.usecase.js';

function setup(covering: 'shop' | 'subscriber' | null = null) {
  const calls: string[] = [];
  const conversations = {
    findBySubscriber: async () => ({ _id: 'c1' }),
    deleteForSubscriber: async (_shop: string, id: string) => {
      calls.push(`delete conversation of ${id}`);
    },
    deleteShop: async (shop: string) => {
      calls.push(`delete conversations of ${shop}`);
    },
  } as unknown as ConversationRepository;
  const messages = {
    deleteConversation: async (_shop: string, id: string) => {
      calls.push(`delete messages of ${id}`);
    },
    deleteShop: async (shop: string) => {
      calls.push(`delete messages of ${shop}`);
    },
  } as unknown as MessageRepository;
  const erasures = {
    record: async (shop: string, subscriberId: string | null) => {
      calls.push(`record erasure of ${subscriberId ?? shop}`);
    },
    covering: async () => covering,
  } as unknown as ErasureLog;
  const shopSettings = {
    delete: async (shop: string) => {
      calls.push(`delete settings of ${shop}`);
    },
  } as unknown as ShopSettingsRepository;
  return { calls, erase: new Erase(conversations, messages, erasures, shopSettings) };
}

it("records the erasure first, then deletes the messages before the conversation (and a shop's, its settings)", async () => {
  const { calls, erase } = setup();
  await erase.subscriber({ shop: 'a.myshopify.com', subscriberId: 's1', partyHash: 'h' } as never);
  await erase.shop({ shop: 'a.myshopify.com' } as never);
  expect(calls).toEqual([
    'record erasure of s1',
    'delete messages of c1',
    'delete conversation of s1',
    'record erasure of a.myshopify.com',
    'delete messages of a.myshopify.com',
    'delete conversations of a.myshopify.com',
    'delete settings of a.myshopify.com',
  ]);
});

it('erases again what a text written after an erasure left, and nothing when none covers it', async () => {
  const covered = setup('subscriber');
  expect(await covered.erase.settle('a.myshopify.com', 's1', new Date())).toBe(true);
  expect(covered.calls).toEqual(['delete messages of c1', 'delete conversation of s1']);
  const free = setup(null);
  expect(await free.erase.settle('a.myshopify.com', 's1', new Date())).toBe(false);
  expect(free.calls).toEqual([]);
});
