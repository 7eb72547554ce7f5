// The inbox list: newest activity first, filtered by status and search, keyset-paged over a
// snapshot. Conversations are ordered by when this service last appended a message to them
// (`touchedAt`, the message's `recordedAt`). The first page shows the list as it is at an instant
// S; every later page orders conversations by their touch time as of S, so one that gets a new
// text while the dashboard pages is neither skipped nor shown twice (it shows at the top on the
// next refresh). Those touched after S are few; their touch time as of S comes from their
// messages' `recordedAt`.
//
// A touch time is taken before its write lands, so a text recorded just before S may land after
// the first page was read. Its touch time cannot tell whether the first page saw it, so later
// pages count only the touches recorded at least LANDING_BOUND before S (all landed by then),
// and skip the first page's conversations touched after that (the cursor names them). A
// conversation the first page did not show stood, for it, at or below its touch time as of
// S - LANDING_BOUND: after the first page's last item, where later pages place it.
//
// Each conversation comes with its subscriber as the inbox shows it (InboxSubscribers), so that
// a page is one call for the gateway.
import type { subscriberV1 } from '@sms-inbox/contracts';
import { invalid } from '@sms-inbox/platform';
import type { ConversationStatus } from '../domain/conversation-status.js';
import { type ActivityCursor, decodeCursor, encodeCursor, isAfter, shortId } from '../domain/cursor.js';
import type { ConversationRecord, ConversationRepository } from '../repositories/conversation.repository.js';
import type { MessageRepository } from '../repositories/message.repository.js';
import type { InboxSubscribers } from '../views/inbox-subscribers.js';

export const STATUSES: readonly ConversationStatus[] = ['unresolved', 'resolved', 'opted_out'];

/** How many conversations changed since the snapshot one page looks at, at most. */
const MAX_MOVED = 500;

/**
 * A text's touch lands in the store within this long of its `recordedAt` (the conversation
 * handler's few store round trips, seconds at worst on a loaded machine).
 */
export const LANDING_BOUND_MS = 10_000;

export interface ListInput {
  shop: string;
  status: string;
  q: string;
  limit: number;
  cursor: string;
}

export interface InboxItem {
  conversation: ConversationRecord;
  subscriber: subscriberV1.Subscriber | undefined;
}

export class ListConversations {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly subscribers: InboxSubscribers,
  ) {}

  async execute(input: ListInput): Promise<{ items: InboxItem[]; nextCursor: string | null }> {
    if (input.status && !STATUSES.includes(input.status as ConversationStatus)) {
      throw invalid('invalid_status', `status must be one of ${STATUSES.join(', ')}`);
    }
    if (input.q.length > 100) throw invalid('invalid_query', 'q is at most 100 characters');
    const limit = input.limit || 25;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw invalid('invalid_limit', 'limit must be 1 to 100');
    const cursor: ActivityCursor | undefined = input.cursor ? decodeCursor(input.cursor) : undefined;
    const snapshot = cursor?.snapshot ?? new Date();
    const filter = {
      status: (input.status || undefined) as ConversationStatus | undefined,
      q: input.q || undefined,
    };

    // Later pages: touches recorded up to `settled` had all landed when the first page was read.
    const settled = cursor ? new Date(snapshot.getTime() - LANDING_BOUND_MS) : snapshot;
    const shown = new Set(cursor?.shown);

    const [[stable, moved], settings] = await Promise.all([
      this.read(input.shop, filter, limit, snapshot, settled, cursor),
      this.subscribers.settings(input.shop),
    ]);
    const placed: Array<{ item: ConversationRecord; key: Date }> = stable.map((item) => ({
      item,
      key: new Date(item.touchedAt),
    }));
    const placedIds = new Set(stable.map((item) => item._id));
    const asOfSnapshot = await this.messages.touchedAsOf(
      input.shop,
      moved.map((m) => m._id),
      settled,
      snapshot,
    );
    for (const item of moved) {
      const key = asOfSnapshot.get(item._id);
      // An item both queries saw (it moved between them) counts once; one the first page showed
      // (touched after `settled`, so never among the untouched) is not shown again.
      if (
        key &&
        !placedIds.has(item._id) &&
        !shown.has(shortId(item._id)) &&
        (!cursor || isAfter(key, item._id, cursor))
      )
        placed.push({ item, key });
    }
    placed.sort((a, b) => b.key.getTime() - a.key.getTime() || (a.item._id < b.item._id ? 1 : -1));

    const page = placed.slice(0, limit);
    const last = page.at(-1);
    const nextCursor =
      placed.length > limit && last
        ? encodeCursor({
            at: last.key,
            id: last.item._id,
            snapshot,
            shown: cursor
              ? cursor.shown
              : page
                  .filter((p) => p.key.getTime() > snapshot.getTime() - LANDING_BOUND_MS)
                  .map((p) => shortId(p.item._id)),
          })
        : null;
    const subscribers = await this.subscribers.of(
      input.shop,
      page.map((p) => p.item),
      settings,
    );
    return {
      items: page.map((p) => ({ conversation: p.item, subscriber: subscribers.get(p.item.subscriberId) })),
      nextCursor,
    };
  }

  /**
   * The conversations untouched since `settled` (`limit + 1` of them), and those touched since.
   * On a first page `settled` is the snapshot.
   */
  private async read(
    shop: string,
    filter: { status?: ConversationStatus; q?: string },
    limit: number,
    snapshot: Date,
    settled: Date,
    cursor: ActivityCursor | undefined,
  ): Promise<[stable: ConversationRecord[], moved: ConversationRecord[]]> {
    if (!cursor) {
      // A first page's snapshot is now: what changed since is what a text touched between that
      // instant and this query, and it would sort first. So one query for the newest is enough
      // unless such a conversation is among them (then the page is read as every later one is).
      const newest = await this.conversations.list(shop, { ...filter, limit: limit + 1 });
      if (newest.every((c) => new Date(c.touchedAt) <= snapshot)) return [newest, []];
    }
    return Promise.all([
      // Untouched since `settled`: their current activity is their activity as of the snapshot.
      this.conversations.list(shop, { ...filter, limit: limit + 1, after: cursor, notAfter: settled }),
      // Touched since: placed where they stood at the snapshot (created after it: not in it).
      this.conversations.list(shop, { ...filter, limit: MAX_MOVED, activeAfter: settled }),
    ]);
  }
}
