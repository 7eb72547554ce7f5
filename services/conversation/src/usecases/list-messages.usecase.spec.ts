import { encodeCursor } from '../domain/cursor.js';
import type { ConversationRepository } from '../repositories/conversation.repository.js';
import type { MessageRecord, MessageRepository } from '../repositories/message.repository.js';
import { ListMessages } from './list-messages.usecase.js';

const message = (i: number) =>
  ({ _id: `m${i}`, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) }) as unknown as MessageRecord;
const history = Array.from({ length: 5 }, (_, i) => message(i));

function setup() {
  const asked: unknown[] = [];
  const conversations = {
    findById: async (shop: string, id: string) =>
      shop === 'a.myshopify.com' && id === 'c1' ? { _id: 'c1' } : null,
  } as unknown as ConversationRepository;
  const messages = {
    listInConversation: async (_shop: string, _id: string, limit: number, after?: { id: string }) => {
      asked.push({ limit, after: after?.id });
      const from = after ? history.findIndex((m) => m._id === after.id) + 1 : 0;
      return history.slice(from, from + limit);
    },
  } as unknown as MessageRepository;
  return { asked, list: new ListMessages(conversations, messages) };
}

it('pages the history oldest first, with a cursor after the last message of a full page', async () => {
  const { list } = setup();
  const first = await list.execute({ shop: 'a.myshopify.com', conversationId: 'c1', limit: 3, cursor: '' });
  expect(first.items.map((m) => m._id)).toEqual(['m0', 'm1', 'm2']);
  expect(first.nextCursor).toBe(encodeCursor({ at: history[2]!.createdAt, id: 'm2' }));
  const second = await list.execute({
    shop: 'a.myshopify.com',
    conversationId: 'c1',
    limit: 3,
    cursor: first.nextCursor!,
  });
  expect(second.items.map((m) => m._id)).toEqual(['m3', 'm4']);
  expect(second.nextCursor).toBeNull();
});

it("answers not found for another shop's conversation, and refuses a limit out of range", async () => {
  const { asked, list } = setup();
  await expect(
    list.execute({ shop: 'b.myshopify.com', conversationId: 'c1', limit: 10, cursor: '' }),
  ).rejects.toMatchObject({ code: 'conversation_not_found' });
  await expect(
    list.execute({ shop: 'a.myshopify.com', conversationId: 'c1', limit: 101, cursor: '' }),
  ).rejects.toMatchObject({ code: 'invalid_limit' });
  expect(asked).toEqual([]);
});
