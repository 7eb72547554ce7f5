// The two ways a stored reply leaves the conversation service: a send request for delivery, or,
// in quiet hours, a schedule request for the scheduler. Both are keyed by the message id, so
// asking again (a client's retry, a release after a crash) never sends twice.
import type { Bus } from '@sms-inbox/bus';
import { Events } from '@sms-inbox/contracts';
import type { MessageRecord } from '../repositories/message.repository.js';

/**
 * Whether a reply's send request may never have been published: queued (asked for, by the write
 * that queued it) and not yet taken by the provider. Asking again is then what finishes it.
 */
export const sendMayBeUnasked = (message: Pick<MessageRecord, 'status' | 'providerSid'>): boolean =>
  message.status === 'queued' && !message.providerSid;

export class RequestSend {
  constructor(private readonly bus: Bus) {}

  async send(message: MessageRecord, subscriberId: string, to: string): Promise<void> {
    await this.bus.publish(
      Events.sendRequested,
      {
        messageId: message._id,
        shop: message.shop,
        conversationId: message.conversationId,
        subscriberId,
        to,
        text: message.text,
        mediaUrls: message.mediaUrls,
        requestedAt: new Date(),
      },
      { msgId: `send:${message._id}` },
    );
  }

  async schedule(message: MessageRecord, subscriberId: string): Promise<void> {
    await this.bus.publish(
      Events.replyScheduled,
      {
        messageId: message._id,
        shop: message.shop,
        conversationId: message.conversationId,
        subscriberId,
        releaseAt: message.scheduledFor ?? new Date(),
      },
      { msgId: `schedule:${message._id}` },
    );
  }
}
