// A conversation's whole history, oldest first, keyset-paged.
import { invalid, notFound } from '@sms-inbox/platform';
import { decodeCursor, encodeCursor } from '../domain/cursor.js';
import type { ConversationRepository } from '../repositories/conversation.repository.js';
import type { MessageRecord, MessageRepository } from '../repositories/message.repository.js';

export class ListMessages {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
  ) {}

  async execute(input: { shop: string; conversationId: string; limit: number; cursor: string }) {
    const limit = input.limit || 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw invalid('invalid_limit', 'limit must be 1 to 100');
    const after = input.cursor ? decodeCursor(input.cursor) : undefined;
    const conversation = await this.conversations.findById(input.shop, input.conversationId);
    if (!conversation) throw notFound('conversation_not_found', 'no such conversation');
    const items: MessageRecord[] = await this.messages.listInConversation(
      input.shop,
      conversation._id,
      limit + 1,
      after,
    );
    const page = items.slice(0, limit);
    const last = page.at(-1);
    const nextCursor =
      items.length > limit && last ? encodeCursor({ at: last.createdAt, id: last._id }) : null;
    return { items: page, nextCursor };
  }
}
