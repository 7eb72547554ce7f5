// Privacy erasure for this context: a redacted customer's conversation and messages are
// deleted (texts are personal data; the proof of consent lives with the subscriber), and a
// redacted shop loses everything. Messages go first, so a crash midway is finished on redelivery.
import type { subscriberV1 } from '@sms-inbox/contracts';
import type { ConversationRepository } from '../repositories/conversation.repository.js';
import type { MessageRepository } from '../repositories/message.repository.js';

export class Erase {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
  ) {}

  async subscriber(event: subscriberV1.SubscriberRedacted): Promise<void> {
    if (!event.subscriberId) return;
    const conversation = await this.conversations.findBySubscriber(event.shop, event.subscriberId);
    if (!conversation) return;
    await this.messages.deleteConversation(event.shop, conversation._id);
    await this.conversations.deleteForSubscriber(event.shop, event.subscriberId);
  }

  async shop(event: subscriberV1.ShopRedacted): Promise<void> {
    await this.messages.deleteShop(event.shop);
    await this.conversations.deleteShop(event.shop);
  }
}
