// Delivery's reports reach the message: statuses apply by precedence (the platform's outbound-status: a
// late `sent` never moves a `delivered` message back), with the provider's id, the send time and
// error code.
import type { deliveryV1 } from '@sms-inbox/contracts';
import { applyStatus, isFinal, isOutboundStatus, type OutboundStatus } from '@sms-inbox/platform';
import { Counter } from 'prom-client';
import type { MessageRecord, MessageRepository } from '../repositories/message.repository.js';
import type { AnnounceChange } from './announce-change.js';

const finals = new Counter({
  name: 'sms_inbox_deliveries_total',
  help: 'Outbound messages reaching a final status (delivered, undelivered, failed, canceled), by provider error code',
  labelNames: ['status', 'code'] as const,
});

export class ApplyDeliveryStatus {
  constructor(
    private readonly messages: MessageRepository,
    private readonly announce: AnnounceChange,
  ) {}

  async execute(event: deliveryV1.DeliveryStatusChanged): Promise<void> {
    const status = event.status;
    // `sending` is the delivery ledger's own step; the API's messages have no such status.
    if (!isOutboundStatus(status) || status === 'sending') return;
    const moved = await this.apply(event, status);
    if (moved) await this.announce.execute(event.shop, event.conversationId, undefined, moved);
  }

  /**
   * Moves the message to `status` when that ranks above its current one (the moved message, else
   * null), in one write conditional
   * on the status it was decided on (read and decided again on a miss): right with any number of
   * replicas.
   */
  private async apply(
    event: deliveryV1.DeliveryStatusChanged,
    status: Exclude<OutboundStatus, 'sending'>,
  ): Promise<MessageRecord | null> {
    for (;;) {
      const message = await this.messages.findById(event.shop, event.messageId);
      // An inbound message (`received`) is never moved by a delivery report.
      if (!message || !isOutboundStatus(message.status)) return null;
      if (applyStatus(message.status, status) === message.status) return null;
      const fields: Pick<MessageRecord, 'status'> & Partial<MessageRecord> = { status };
      if (event.providerSid) fields.providerSid = event.providerSid;
      if (event.errorCode) fields.errorCode = event.errorCode;
      if (status === 'sent' || (status === 'delivered' && !message.sentAt))
        fields.sentAt = event.at ?? new Date();
      if (!(await this.messages.transition(message._id, message.status, fields))) continue;
      if (isFinal(status)) finals.inc({ status, code: event.errorCode ? String(event.errorCode) : '' });
      return { ...message, ...fields };
    }
  }
}
