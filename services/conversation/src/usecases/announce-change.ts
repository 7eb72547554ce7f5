// Publishes a conversation's current state with the shop's unresolved count, for live updates.
// The id carries the revision, so repeats after a redelivery are dropped by the broker. A message
// that moved without changing its conversation (a delivery status, a release, a cancel) is named
// in the id with its new status, so each of its moves is announced once, not dropped as a repeat
// of the conversation's last announcement.
import type { Bus } from '@sms-inbox/bus';
import { Events } from '@sms-inbox/contracts';
import type { ConversationRecord, ConversationRepository } from '../repositories/conversation.repository.js';
import type { MessageRecord } from '../repositories/message.repository.js';
import { toConversation, toMessage } from '../views/conversation-view.js';

export class AnnounceChange {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly bus: Bus,
  ) {}

  /**
   * `current`: the conversation as the caller just stored it, which saves reading it again;
   * `moved`: the message whose status just moved (shown as the last message when it is that one).
   */
  async execute(
    shop: string,
    conversationId: string,
    current?: ConversationRecord | null,
    moved?: MessageRecord,
  ): Promise<void> {
    const [conversation, unresolved] = await Promise.all([
      current === undefined ? this.conversations.findById(shop, conversationId) : current,
      this.conversations.countUnresolved(shop),
    ]);
    if (!conversation) return;
    const view = toConversation(conversation);
    if (moved && conversation.lastMessage?._id === moved._id) view.lastMessage = toMessage(moved);
    const msgId = `conversation:${conversation._id}:${conversation.revision}`;
    await this.bus.publish(
      Events.conversationChanged,
      { conversation: view, revision: conversation.revision, unresolved },
      { msgId: moved ? `${msgId}:message:${moved._id}:${moved.status}` : msgId },
    );
  }
}
