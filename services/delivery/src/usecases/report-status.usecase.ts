// Tells the conversation service an outbound message's status: a final one from the ledger's
// outbox (published, then the outbox emptied; what a crash or a failed publish leaves there is
// published by the sweep, on start and then periodically), a step on the way (`sent`) straight
// from the report that brought it, unless the ledger holds a later status. Each is published with a
// de-duplication id per status; the conversation applies statuses by precedence, so a second
// copy changes nothing.
import type { Bus } from '@sms-inbox/bus';
import { Events } from '@sms-inbox/contracts';
import { applyStatus, isFinal, type Logger } from '@sms-inbox/platform';
import { Counter } from 'prom-client';
import type {
  OutboundRecord,
  OutboundRepository,
  OutboxEntry,
  StatusReport,
} from '../repositories/outbound.repository.js';

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

  /**
   * After `reported` was recorded (`record`: the ledger entry as written or found): publishes what
   * the conversation has not been told. A status that fills no outbox (`sent`, which the ledger
   * does not even write) is published unless the ledger holds a status above it, also when it was
   * published before (a redelivered report after a crash before the publish); a lower one that
   * came late is not.
   */
  async report(record: OutboundRecord, reported: StatusReport): Promise<void> {
    const held = record.status ?? null;
    if (
      record.outbox ||
      isFinal(reported.status) ||
      (held && applyStatus(held, reported.status) !== reported.status)
    ) {
      return this.flush(record);
    }
    if (!record.conversationId || reported.status === 'queued') return;
    await this.publish(record, {
      status: reported.status,
      providerSid: reported.providerSid || record.providerSid || '',
      errorCode: reported.errorCode,
      at: reported.at,
    });
  }

  /** Publishes the record's outbox, if any, and empties it. */
  async flush(record: OutboundRecord): Promise<void> {
    const box = record.outbox;
    if (!box || !record.conversationId) return;
    await this.publish(record, box);
    await this.ledger.clearOutbox(record._id, box.status);
  }

  private async publish(record: OutboundRecord, box: OutboxEntry): Promise<void> {
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
