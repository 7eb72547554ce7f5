// Tells the conversation service what the ledger's outbox holds: the status event of an outbound
// message, published with a de-duplication id per status (the conversation applies statuses by
// precedence, so a second copy changes nothing), then the outbox is emptied. What a crash or a
// failed publish leaves in an outbox is published by the sweep, on start and then periodically.
import type { Bus } from '@sms-inbox/bus';
import { Events } from '@sms-inbox/contracts';
import type { Logger } from '@sms-inbox/platform';
import { Counter } from 'prom-client';
import type { OutboundRecord, OutboundRepository } from '../repositories/outbound.repository.js';

const republished = new Counter({
  name: 'sms_inbox_delivery_outbox_republished_total',
  help: 'Statuses published by the outbox sweep: recorded in the ledger, but not yet published when a process stopped or a publish failed',
});

export class ReportStatus {
  constructor(
    private readonly ledger: OutboundRepository,
    private readonly bus: Bus,
    private readonly logger: Logger,
  ) {}

  /** Publishes the record's outbox, if any, and empties it. */
  async flush(record: OutboundRecord): Promise<void> {
    const box = record.outbox;
    if (!box || !record.conversationId) return;
    await this.bus.publish(
      Events.deliveryStatusChanged,
      {
        messageId: record._id,
        shop: record.shop,
        conversationId: record.conversationId,
        status: box.status,
        providerSid: box.providerSid,
        errorCode: box.errorCode ?? 0,
        at: box.at,
      },
      { msgId: `status:${record._id}:${box.status}` },
    );
    await this.ledger.clearOutbox(record._id, box.status);
  }

  /** Publishes outboxes filled more than `olderThanMs` ago, up to `limit`; returns how many. */
  async sweep(olderThanMs: number, limit = 500): Promise<number> {
    const left = await this.ledger.pendingOutboxes(new Date(Date.now() - olderThanMs), limit);
    for (const record of left) {
      await this.flush(record);
      republished.inc();
    }
    if (left.length) this.logger.warn({ count: left.length }, 'published statuses left in the outbox');
    return left.length;
  }
}
