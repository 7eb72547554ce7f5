import type { Bus } from '@sms-inbox/bus';
import type { ConversationRecord, ConversationRepository } from '../repositories/conversation.repository.js';
import { AnnounceChange } from './announce-change.js';

it('announces a conversation with the unresolved count, keyed by its revision so a repeat is dropped', async () => {
  const sent: Array<{ msgId: string; unresolved: number }> = [];
  const conversation = {
    _id: 'c1',
    shop: 'a.myshopify.com',
    subscriberId: 's1',
    status: 'unresolved',
    revision: 7,
    touchedAt: new Date(),
    lastActivityAt: new Date(),
    statusChangedAt: new Date(),
    subscriber: { version: 1 },
  } as unknown as ConversationRecord;
  const conversations = {
    findById: async () => conversation,
    countUnresolved: async () => 3,
  } as unknown as ConversationRepository;
  const bus = {
    publish: async (_e: unknown, m: { unresolved: number }, { msgId }: { msgId: string }) => {
      sent.push({ msgId, unresolved: m.unresolved });
      return { duplicate: false, seq: 1 };
    },
  } as unknown as Bus;
  const announce = new AnnounceChange(conversations, bus);
  await announce.execute('a.myshopify.com', 'c1');
  await announce.execute('a.myshopify.com', 'c1', null); // erased meanwhile: nothing
  expect(sent).toEqual([{ msgId: 'conversation:c1:7', unresolved: 3 }]);
});
