// A subscriber's text: appended to that subscriber's single conversation, which becomes
// unresolved. Idempotent by MessageSid; safe to re-run after a crash at any step. Never brings
// back what a concurrent erasure deleted (Erase.settle).
import type { subscriberV1 } from '@sms-inbox/contracts';
import type { ConversationRecord, ConversationRepository } from '../repositories/conversation.repository.js';
import { snapshotOf } from '../repositories/conversation.repository.js';
import {
  type MessageRecord,
  type MessageRepository,
  messageIdFor,
} from '../repositories/message.repository.js';
import type { AnnounceChange } from './announce-change.js';
import type { ApplySubscriberChange } from './apply-subscriber-change.usecase.js';
import type { Erase } from './erase.usecase.js';

export class AppendInboundReply {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly announce: AnnounceChange,
    private readonly erase: Pick<Erase, 'settle'>,
    private readonly subscriberChanges: Pick<ApplySubscriberChange, 'catchUp'>,
  ) {}

  async execute(event: subscriberV1.ReplyReceived): Promise<void> {
    const subscriber = event.subscriber!;
    const at = event.receivedAt ?? new Date();
    const messageId = messageIdFor(event.shop, `in:${event.messageSid}`);
    const draft = (conversationId: string): MessageRecord => ({
      _id: messageId,
      shop: event.shop,
      conversationId,
      dedupeKey: `in:${event.messageSid}`,
      direction: 'inbound',
      text: event.body,
      mediaUrls: event.media.map((m) => m.url),
      discountCode: null,
      status: 'received',
      createdAt: at,
      recordedAt: new Date(),
      scheduledFor: null,
      sentAt: null,
      quietHoursOverride: false,
    });
    let conversation: ConversationRecord | null;
    if (event.consentWord) {
      // STOP, START, HELP, a keyword: kept in an existing conversation's history, opening none;
      // the consent change itself moves the status (SubscriberChanged).
      conversation = await this.conversations.findBySubscriber(event.shop, subscriber.id);
      if (!conversation) return;
    } else {
      // Snapshot version 0: any SubscriberChanged event (version ≥ 1) is newer and replaces it.
      conversation = await this.conversations.findOrCreate(
        event.shop,
        subscriber.id,
        snapshotOf(subscriber, 0),
        draft,
      );
    }
    const message = await this.messages.insertOnce(draft(conversation._id));
    const stored = await this.conversations.recordMessage(
      event.shop,
      conversation._id,
      message,
      event.consentWord
        ? undefined
        : {
            allowedFrom: ['resolved', 'unresolved'],
            to: 'unresolved',
            causeAt: new Date(message.createdAt),
            reason: 'subscriber_wrote',
            actor: 'subscriber',
          },
      conversation,
    );
    // A redaction of this customer or shop that ran meanwhile wins: what was just written goes.
    if (await this.erase.settle(event.shop, subscriber.id, at)) return;
    await this.announce.execute(event.shop, conversation._id, stored);
    // Until a SubscriberChanged has reached it, the conversation may miss a consent change.
    if ((stored ?? conversation).subscriber.version === 0) {
      await this.subscriberChanges.catchUp(event.shop, subscriber.id);
    }
  }
}
