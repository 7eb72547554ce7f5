import { decodeCursor } from '../domain/cursor.js';
import type { ConversationRecord, ConversationRepository } from '../repositories/conversation.repository.js';
import type { MessageRepository } from '../repositories/message.repository.js';
import type { InboxSubscribers } from '../views/inbox-subscribers.js';
import { ListConversations } from './list-conversations.usecase.js';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 10, minute));
const conversation = (id: string, minute: number) =>
  ({ _id: id, subscriberId: `s-${id}`, touchedAt: at(minute) }) as unknown as ConversationRecord;

/** Conversations c1..c5 touched at minutes 1..5, each touch a message's `recordedAt`. */
function setup() {
  let all = [1, 2, 3, 4, 5].map((m) => conversation(`c${m}`, m));
  const touches = new Map(all.map((c) => [c._id, [new Date(c.touchedAt)]]));
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
    touchedAsOf: async (_shop: string, ids: string[], settled: Date, snapshot: Date) => {
      const asOf = new Map<string, Date>();
      for (const id of ids) {
        const times = touches.get(id)!;
        const before = times.filter((t) => t <= settled);
        const key = before.length ? before.at(-1) : times.find((t) => t <= snapshot);
        if (key) asOf.set(id, key);
      }
      return asOf;
    },
  } as unknown as MessageRepository;
  const subscribers = {
    settings: async () => null,
    of: async (_shop: string, page: ConversationRecord[]) =>
      new Map(page.map((c) => [c.subscriberId, { id: c.subscriberId }])),
  } as unknown as InboxSubscribers;
  /** A text to `id` recorded at `recordedAt` lands now. */
  const land = (id: string, recordedAt: Date) => {
    touches.get(id)!.push(recordedAt);
    all = all.map((c) => (c._id === id ? { ...c, touchedAt: recordedAt } : c));
  };
  return {
    list: new ListConversations(conversations, messages, subscribers),
    /** A new text to `id` after the snapshot: touched now, placed by its activity as of the snapshot. */
    touch: (id: string) => land(id, new Date(Date.now() + 60_000)),
    land,
  };
}

async function pageThrough(
  list: ListConversations,
  between: (page: number, startedAt: Date) => void = () => {},
): Promise<string[]> {
  const seen: string[] = [];
  let cursor = '';
  for (let page = 0; page < 5; page++) {
    const startedAt = new Date();
    const out = await list.execute({ ...input, cursor });
    seen.push(...out.items.map((i) => i.conversation._id));
    between(page, startedAt);
    if (!out.nextCursor) break;
    cursor = out.nextCursor;
  }
  return seen;
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
  const seen = await pageThrough(list, (page) => {
    if (page === 0) touch('c2'); // a text arrives for a conversation not yet shown
  });
  expect(seen).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);
});

it("places a conversation touched between the first page's snapshot and its query where it stood", async () => {
  const { list, touch } = setup();
  touch('c4'); // lands after the snapshot the first page takes, before its read
  expect(await pageThrough(list)).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);
});

it('does not skip a conversation whose text was recorded before the snapshot but landed after the first page', async () => {
  const { list, land } = setup();
  const seen = await pageThrough(list, (page, startedAt) => {
    // Its handler took the touch time before the first page's snapshot; its write lands only now.
    if (page === 0) land('c2', new Date(startedAt.getTime() - 1));
  });
  expect(seen).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);
});

it('does not repeat a conversation the first page showed because of a text just before its snapshot', async () => {
  const { list, land } = setup();
  land('c1', new Date(Date.now() - 1_000));
  const seen = await pageThrough(list);
  expect(seen).toEqual(['c1', 'c5', 'c4', 'c3', 'c2']);
});

it("names the first page's recently touched conversations in the cursor, and refuses a forged one", async () => {
  const { list, land } = setup();
  land('c1', new Date(Date.now() - 1_000));
  const first = await list.execute(input);
  expect(decodeCursor(first.nextCursor!).shown).toEqual(['c1']);
  const forged = Buffer.from(JSON.stringify([1, 'c1', 2, ['x'.repeat(13)]])).toString('base64url');
  await expect(list.execute({ ...input, cursor: forged })).rejects.toMatchObject({ code: 'invalid_cursor' });
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
