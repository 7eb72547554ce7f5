// Scheduled replies after they are stored: released by the scheduler when quiet hours end
// (re-checked here: still scheduled? subscriber still active? then queued and sent, else
// canceled, never sent), or canceled by the merchant before that. Both move the message only
// from `scheduled`, one at a time per message, so a release and a cancel never both win.
// A release that finds its message queued asks for the send again: the delivery of the event
// that moved it may have stopped before its send request was published (killed, or the broker
// away), and the request is keyed by the message id, so it is sent once whatever is repeated.
import type { Bus } from '@sms-inbox/bus';
import { Events, type schedulerV1 } from '@sms-inbox/contracts';
import { conflict, notFound } from '@sms-inbox/platform';
import { Counter } from 'prom-client';
import type { SubscriberDirectory } from '../domain/ports.js';
import type { ConversationRepository } from '../repositories/conversation.repository.js';
import type { MessageRecord, MessageRepository } from '../repositories/message.repository.js';
import type { AnnounceChange } from './announce-change.js';
import { type RequestSend, sendMayBeUnasked } from './request-send.js';

const releases = new Counter({
  name: 'sms_inbox_scheduled_replies_total',
  help: 'Scheduled replies by outcome: released (sent), requested_again (a repeated release), canceled_opted_out, canceled_by_merchant',
  labelNames: ['outcome'] as const,
});

export class ScheduledReplies {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly subscribers: SubscriberDirectory,
    private readonly requests: RequestSend,
    private readonly announce: AnnounceChange,
    private readonly bus: Bus,
  ) {}

  async release(event: schedulerV1.ReplyReleased): Promise<void> {
    const released = await this.releaseOnce(event);
    if (!released) return;
    releases.inc({ outcome: released.outcome });
    // The conversation as read for the release (a message's move does not change it).
    await this.announce.execute(event.shop, event.conversationId, released.conversation, released.message);
  }

  /**
   * Moves a scheduled message on, once: each move is conditional on the message still being
   * `scheduled`, so of two releases (or a release and a cancel) exactly one acts, on any replica.
   */
  private async releaseOnce(event: schedulerV1.ReplyReleased) {
    const message = await this.messages.findById(event.shop, event.messageId);
    if (message && sendMayBeUnasked(message)) return this.requestAgain(event.shop, message);
    if (message?.status !== 'scheduled') return null; // canceled, or taken by the provider already
    const { conversation, subscriber: found } = await this.recipientOf(event.shop, message);
    const subscriber = found?.status === 'active' ? found : null;
    if (!conversation || !subscriber) {
      if (!(await this.messages.transition(message._id, 'scheduled', { status: 'canceled' }))) return null;
      return {
        outcome: 'canceled_opted_out' as const,
        message: { ...message, status: 'canceled' as const },
        conversation: conversation ?? undefined,
      };
    }
    if (!(await this.messages.transition(message._id, 'scheduled', { status: 'queued' }))) return null;
    await this.requests.send(message, subscriber.id, subscriber.phone);
    return { outcome: 'released' as const, message: { ...message, status: 'queued' as const }, conversation };
  }

  /**
   * The send of a reply released before, asked for again. Delivery sends it once (its ledger is
   * keyed by the message id) and checks consent again before the call: a subscriber who opted out
   * since gets nothing and the reply shows canceled. An erased subscriber has nothing to send to.
   */
  private async requestAgain(shop: string, message: MessageRecord) {
    const { conversation, subscriber } = await this.recipientOf(shop, message);
    if (!conversation || !subscriber) return null;
    await this.requests.send(message, subscriber.id, subscriber.phone);
    return { outcome: 'requested_again' as const, message, conversation };
  }

  /** The message's conversation and its subscriber's consent and phone (no quiet hours), if any. */
  private async recipientOf(shop: string, message: MessageRecord) {
    const conversation = await this.conversations.findById(shop, message.conversationId);
    const found = conversation
      ? await this.subscribers.find(shop, conversation.subscriberId, { consentOnly: true })
      : null;
    return { conversation, subscriber: found?.subscriber ?? null };
  }

  async cancel(shop: string, id: string): Promise<MessageRecord> {
    const found = await this.messages.findById(shop, id);
    if (!found) throw notFound('message_not_found', 'no such message');
    let message = found;
    if (found.status !== 'canceled') {
      if (found.status !== 'scheduled')
        throw conflict('message_not_scheduled', `the message is ${found.status}, not scheduled`);
      if (!(await this.messages.transition(id, 'scheduled', { status: 'canceled' })))
        throw conflict('message_not_scheduled', 'the message was released meanwhile');
      releases.inc({ outcome: 'canceled_by_merchant' });
      message = { ...found, status: 'canceled' as const };
    }
    // The scheduler drops its job; a release that comes anyway finds the message canceled.
    await this.bus.publish(Events.replyCanceled, { messageId: id, shop }, { msgId: `cancel:${id}` });
    await this.announce.execute(shop, message.conversationId, undefined, message);
    return message;
  }
}
