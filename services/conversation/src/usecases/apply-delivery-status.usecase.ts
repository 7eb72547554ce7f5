// Delivery's reports reach the message: statuses apply by precedence (a late `sent` never
// moves a `delivered` message back), with the provider's id, the send time and error code.
import type { deliveryV1 } from '@sms-inbox/contracts';
import type { KeyedMutex } from '@sms-inbox/platform';
import { Counter } from 'prom-client';
import type { MessageRecord, MessageRepository, MessageStatus } from '../repositories/message.repository.js';
import type { AnnounceChange } from './announce-change.js';

const finals = new Counter({
  name: 'sms_inbox_deliveries_total',
  help: 'Outbound messages reaching a final status (delivered, undelivered, failed, canceled), by provider error code',
  labelNames: ['status', 'code'] as const,
});

const RANK: Record<MessageStatus, number> = {
  received: 0,
  scheduled: 0,
  queued: 1,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  canceled: 4,
};

export class ApplyDeliveryStatus {
  constructor(
    private readonly messages: MessageRepository,
    private readonly announce: AnnounceChange,
    /** Shared with every writer of message statuses in this process. */
    private readonly locks: KeyedMutex,
  ) {}

  async execute(event: deliveryV1.DeliveryStatusChanged): Promise<void> {
    const status = event.status as MessageStatus;
    if (!(status in RANK)) return;
    const changed = await this.locks.run(event.messageId, async () => {
      const message = await this.messages.findById(event.shop, event.messageId);
      if (!message || RANK[status] <= RANK[message.status]) return false;
      const fields: Pick<MessageRecord, 'status'> & Partial<MessageRecord> = { status };
      if (event.providerSid) fields.providerSid = event.providerSid;
      if (event.errorCode) fields.errorCode = event.errorCode;
      if (status === 'sent' || (status === 'delivered' && !message.sentAt))
        fields.sentAt = event.at ?? new Date();
      await this.messages.setDelivery(message._id, fields);
      if (RANK[status] === 4) finals.inc({ status, code: event.errorCode ? String(event.errorCode) : '' });
      return true;
    });
    if (changed) await this.announce.execute(event.shop, event.conversationId);
  }
}
