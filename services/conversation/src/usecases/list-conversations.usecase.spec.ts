import type { ConversationRecord, ConversationRepository } from '../repositories/conversation.repository.js';
import type { MessageRepository } from '../repositories/message.repository.js';
import type { InboxSubscribers } from '../views/inbox-subscribers.js';
import { ListConversations } from './list-conversations.usecase.js';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 10, minute));
const conversation = (id: string, minute: number) =>
  ({ _id: id, subscriberId: `s-${id}`, touchedAt: at(minute) }) as unknown as ConversationRecord;

/** Conversations c1..c5 touched at minutes 1..5; c9 touched after the first page's snapshot. */
function setup() {
  let all = [1, 2, 3, 4, 5].map((m) => conversation(`c${m}`, m));
  const moved = new Map<string, Date>();
  const conversations = {
    list: async (
      _shop: string,
      query: { limit: number; after?: { at: Date; id: string }; notAfter?: Date; activeAfter?: Date },
    ) => {
      if (query.activeAfter)
        return all.filter((c) => new Date(c.touchedAt).getTime() > query.activeAfter!.getTime());
      return all
        .filter((c) => !query.notAfter || new Date(c.touchedAt).getTime() <= query.notAfter.getTime())
        .filter((c) => !query.after || new Date(c.touchedAt).getTime() < query.after.at.getTime())
        .sort((a, b) => new Date(b.touchedAt).getTime() - new Date(a.touchedAt).getTime())
        .slice(0, query.limit);
    },
  } as unknown as ConversationRepository;
  const messages = {
    latestAtOrBefore: async (_shop: string, ids: string[]) =>
      new Map(ids.filter((id) => moved.has(id)).map((id) => [id, moved.get(id)!])),
  } as unknown as MessageRepository;
  const subscribers = {
    settings: async () => null,
    of: async (_shop: string, page: ConversationRecord[]) =>
      new Map(page.map((c) => [c.subscriberId, { id: c.subscriberId }])),
  } as unknown as InboxSubscribers;
  return {
    list: new ListConversations(conversations, messages, subscribers),
    /** A new text to `id` after the snapshot: touched now, placed by its activity as of the snapshot. */
    touch(id: string) {
      const before = all.find((c) => c._id === id)!;
      moved.set(id, new Date(before.touchedAt));
      all = all.map((c) => (c._id === id ? { ...c, touchedAt: new Date(Date.now() + 60_000) } : c));
    },
  };
}

const input = { shop: 'a.myshopify.com', status: '', q: '', limit: 2, cursor: '' };

it('pages newest activity first, each conversation with its subscriber', async () => {
  const { list } = setup();
  const first = await list.execute(input);
  expect(first.items.map((i) => i.conversation._id)).toEqual(['c5', 'c4']);
  expect(first.items[0]!.subscriber).toEqual({ id: 's-c5' });
  const second = await list.execute({ ...input, cursor: first.nextCursor! });
  expect(second.items.map((i) => i.conversation._id)).toEqual(['c3', 'c2']);
});

it('neither skips nor repeats a conversation that gets a new text while the dashboard pages', async () => {
  const { list, touch } = setup();
  const seen: string[] = [];
  let cursor = '';
  for (let page = 0; page < 5; page++) {
    const out = await list.execute({ ...input, cursor });
    seen.push(...out.items.map((i) => i.conversation._id));
    if (page === 0) touch('c2'); // a text arrives for a conversation not yet shown
    if (!out.nextCursor) break;
    cursor = out.nextCursor;
  }
  expect(seen).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);
});

it("places a conversation touched between the first page's snapshot and its query where it stood", async () => {
  const { list, touch } = setup();
  touch('c4'); // lands after the snapshot the first page takes, before its read
  const seen: string[] = [];
  let cursor = '';
  for (let page = 0; page < 5; page++) {
    const out = await list.execute({ ...input, cursor });
    seen.push(...out.items.map((i) => i.conversation._id));
    if (!out.nextCursor) break;
    cursor = out.nextCursor;
  }
  expect(seen).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);
});

it('refuses an unknown status, a long search and a limit out of range', async () => {
  const { list } = setup();
  await expect(list.execute({ ...input, status: 'archived' })).rejects.toMatchObject({
    code: 'invalid_status',
  });
  await expect(list.execute({ ...input, q: 'x'.repeat(101) })).rejects.toMatchObject({
    code: 'invalid_query',
  });
  await expect(list.execute({ ...input, limit: 500 })).rejects.toMatchObject({ code: 'invalid_limit' });
});
