// Privacy erasure for this context: a redacted customer's conversation and messages are
// deleted (texts are personal data; the proof of consent lives with the subscriber), and a
// redacted shop loses everything. Messages go first, so a crash midway is finished on redelivery.
//
// The erasure wins over writes racing it. It is recorded before anything is deleted, and a text
// appended concurrently (whose event was published before the erasure and is handled after it,
// by another consumer, maybe another replica) asks `settle` after its writes: when an erasure
// covering it was recorded at or after the text was received, the erasure runs again. Either the
// text's writes came before the record, and so before the deletes, which remove them, or the
// text's check sees the record and deletes them itself.
import type { subscriberV1 } from '@sms-inbox/contracts';
import type { ErasureLog } from '@sms-inbox/mongo';
import type { ConversationRepository } from '../repositories/conversation.repository.js';
import type { MessageRepository } from '../repositories/message.repository.js';
import type { ShopSettingsRepository } from '../repositories/shop-settings.repository.js';

export class Erase {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly erasures: ErasureLog,
    private readonly shopSettings: ShopSettingsRepository,
  ) {}

  async subscriber(event: subscriberV1.SubscriberRedacted): Promise<void> {
    if (!event.subscriberId) return;
    await this.erasures.record(event.shop, event.subscriberId, new Date());
    await this.eraseSubscriber(event.shop, event.subscriberId);
  }

  async shop(event: subscriberV1.ShopRedacted): Promise<void> {
    await this.erasures.record(event.shop, null, new Date());
    await this.eraseShop(event.shop);
  }

  /**
   * After writing something of this subscriber that was received at `receivedAt`: erases again
   * if an erasure of the shop or of the customer was recorded since. True when it did.
   */
  async settle(shop: string, subscriberId: string, receivedAt: Date): Promise<boolean> {
    const erasure = await this.erasures.covering(shop, subscriberId, receivedAt);
    if (!erasure) return false;
    if (erasure === 'shop') await this.eraseShop(shop);
    else await this.eraseSubscriber(shop, subscriberId);
    return true;
  }

  private async eraseSubscriber(shop: string, subscriberId: string): Promise<void> {
    const conversation = await this.conversations.findBySubscriber(shop, subscriberId);
    if (!conversation) return;
    await this.messages.deleteConversation(shop, conversation._id);
    await this.conversations.deleteForSubscriber(shop, subscriberId);
  }

  private async eraseShop(shop: string): Promise<void> {
    await this.messages.deleteShop(shop);
    await this.conversations.deleteShop(shop);
    await this.shopSettings.delete(shop);
  }
}
