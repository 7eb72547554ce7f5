// Publishes a conversation's current state with the shop's unresolved count, for live updates.
// The id carries the revision, so repeats after a redelivery are dropped by the broker.
import type { Bus } from '@sms-inbox/bus';
import { Events } from '@sms-inbox/contracts';
import type { ConversationRecord, ConversationRepository } from '../repositories/conversation.repository.js';
import { toConversation } from '../views/conversation-view.js';

export class AnnounceChange {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly bus: Bus,
  ) {}

  /** `current`: the conversation as the caller just stored it, which saves reading it again. */
  async execute(shop: string, conversationId: string, current?: ConversationRecord | null): Promise<void> {
    const [conversation, unresolved] = await Promise.all([
      current === undefined ? this.conversations.findById(shop, conversationId) : current,
      this.conversations.countUnresolved(shop),
    ]);
    if (!conversation) return;
    await this.bus.publish(
      Events.conversationChanged,
      { conversation: toConversation(conversation), revision: conversation.revision, unresolved },
      { msgId: `conversation:${conversation._id}:${conversation.revision}` },
    );
  }
}
