// The inbox list: newest activity first, filtered by status and search, keyset-paged.
import { invalid } from '@sms-inbox/platform';
import type { ConversationStatus } from '../domain/conversation-status.js';
import { decodeCursor, encodeCursor } from '../domain/cursor.js';
import type { ConversationRecord, ConversationRepository } from '../repositories/conversation.repository.js';

export const STATUSES: readonly ConversationStatus[] = ['unresolved', 'resolved', 'opted_out'];

export interface ListInput {
  shop: string;
  status: string;
  q: string;
  limit: number;
  cursor: string;
}

export class ListConversations {
  constructor(private readonly conversations: ConversationRepository) {}

  async execute(input: ListInput): Promise<{ items: ConversationRecord[]; nextCursor: string | null }> {
    if (input.status && !STATUSES.includes(input.status as ConversationStatus)) {
      throw invalid('invalid_status', `status must be one of ${STATUSES.join(', ')}`);
    }
    if (input.q.length > 100) throw invalid('invalid_query', 'q is at most 100 characters');
    const limit = input.limit || 25;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw invalid('invalid_limit', 'limit must be 1 to 100');
    const items = await this.conversations.list(input.shop, {
      status: (input.status || undefined) as ConversationStatus | undefined,
      q: input.q || undefined,
      limit: limit + 1,
      after: input.cursor ? decodeCursor(input.cursor) : undefined,
    });
    const page = items.slice(0, limit);
    const last = page.at(-1);
    const nextCursor =
      items.length > limit && last ? encodeCursor({ at: last.lastActivityAt, id: last._id }) : null;
    return { items: page, nextCursor };
  }
}
