// Delivery's reports reach the message: statuses apply by precedence (the platform's outbound-status: a
// late `sent` never moves a `delivered` message back), with the provider's id, the send time and
// error code. Each move is announced for live updates; a redelivered report that finds its move
// made (the delivery that made it stopped before announcing it) announces it again, keyed alike.
import type { Delivery } from '@sms-inbox/bus';
import type { deliveryV1 } from '@sms-inbox/contracts';
import { isFinal, isOutboundStatus, type OutboundStatus, statusesBelow } from '@sms-inbox/platform';
import { Counter } from 'prom-client';
import type { MessageRecord, MessageRepository } from '../repositories/message.repository.js';
import type { AnnounceChange } from './announce-change.js';

const finals = new Counter({
  name: 'sms_inbox_deliveries_total',
  help: 'Outbound messages reaching a final status (delivered, undelivered, failed, canceled), by provider error code',
  labelNames: ['status', 'code'] as const,
});

export class ApplyDeliveryStatus {
  /** Whether the last `delivered` found its message without a send time. */
  private sentAtMissingLast = false;

  constructor(
    private readonly messages: MessageRepository,
    private readonly announce: AnnounceChange,
  ) {}

  async execute(
    event: deliveryV1.DeliveryStatusChanged,
    delivery?: Pick<Delivery, 'deliveryCount'>,
  ): Promise<void> {
    const status = event.status;
    // `sending` is the delivery ledger's own step; the API's messages have no such status.
    if (!isOutboundStatus(status) || status === 'sending') return;
    let moved = await this.apply(event, status);
    if (!moved && (delivery?.deliveryCount ?? 1) > 1) {
      // Only a redelivery pays this read: its move may be made and not announced.
      const now = await this.messages.findById(event.shop, event.messageId);
      if (now?.status === status) moved = now;
    }
    if (moved) await this.announce.execute(event.shop, event.conversationId, undefined, moved);
  }

  /**
   * Moves the message to `status` when that ranks above its current one (the moved message, else
   * null), in one write conditional on the statuses it ranks above: right with any number of
   * replicas, and no read first. A final status also sets the send time when the message has none
   * (its `sent` report never came, or delivery dropped it as overtaken): the case that matched
   * last is tried first.
   */
  private async apply(
    event: deliveryV1.DeliveryStatusChanged,
    status: Exclude<OutboundStatus, 'sending'>,
  ): Promise<MessageRecord | null> {
    const fields: Pick<MessageRecord, 'status'> & Partial<MessageRecord> = { status };
    if (event.providerSid) fields.providerSid = event.providerSid;
    if (event.errorCode) fields.errorCode = event.errorCode;
    const at = event.at ?? new Date();
    const from = statusesBelow(status);
    let moved: MessageRecord | null;
    if (status === 'sent') {
      moved = await this.messages.moveFrom(event.shop, event.messageId, from, { ...fields, sentAt: at });
    } else if (status === 'delivered') {
      const withTime = { ...fields, sentAt: at };
      const tries = [
        () => this.messages.moveFrom(event.shop, event.messageId, from, fields, 'stored'),
        () => this.messages.moveFrom(event.shop, event.messageId, from, withTime, 'missing'),
      ];
      // The case that matched last comes first: behind a backlog delivery drops the `sent` its
      // `delivered` already overtook, so most messages then have no send time yet.
      if (this.sentAtMissingLast) tries.reverse();
      for (;;) {
        moved = await tries[0]!();
        if (!moved) {
          moved = await tries[1]!();
          if (moved) this.sentAtMissingLast = !this.sentAtMissingLast;
        }
        if (moved) break;
        // Both missed. A concurrent `sent` may have set the send time between the two writes (the
        // first saw none, the second saw one): only a message this report no longer outranks ends it.
        const now = await this.messages.findById(event.shop, event.messageId);
        if (!now || !(from as string[]).includes(now.status)) break;
      }
    } else {
      moved = await this.messages.moveFrom(event.shop, event.messageId, from, fields);
    }
    if (moved && isFinal(status))
      finals.inc({ status, code: event.errorCode ? String(event.errorCode) : '' });
    return moved;
  }
}
