// Twilio's status callbacks for sent messages: mapped to our statuses, recorded in the ledger by
// precedence (a late callback never moves a status back) and reported to the conversation
// service through the ledger's outbox. A callback that arrives before the ledger knows the
// provider sid is retried. The reconciliation records what it finds the same way.
import { TraceFlags, trace } from '@opentelemetry/api';
import type { ingestionV1 } from '@sms-inbox/contracts';
import type { Logger } from '@sms-inbox/platform';
import { Counter } from 'prom-client';
import { fromTwilioStatus } from '../domain/delivery-status.js';
import type { OutboundRepository, StatusReport } from '../repositories/outbound.repository.js';
import type { ReportStatus } from './report-status.usecase.js';

export const statusReports = new Counter({
  name: 'sms_inbox_delivery_status_reports_total',
  help: "Provider statuses received, by source (callback, reconcile) and outcome (applied: moved the ledger's status; stale: ranked at or below it)",
  labelNames: ['source', 'outcome'] as const,
});

export class UnknownProviderSid extends Error {
  override readonly name = 'UnknownProviderSid';
}

export class ApplyProviderStatus {
  constructor(
    private readonly ledger: OutboundRepository,
    private readonly report: ReportStatus,
    private readonly logger: Logger,
  ) {}

  async execute(event: ingestionV1.DeliveryStatusReceived): Promise<void> {
    const status = fromTwilioStatus(event.messageStatus);
    // `sending` is a step no message of the API shows.
    if (!status || status === 'sending') return;
    const entry = await this.ledger.findByProviderSid(event.messageSid);
    if (!entry) {
      // Twilio can call back before our ledger recorded its sid: let the bus try again.
      throw new UnknownProviderSid(`no outbound message for provider sid ${event.messageSid} (yet)`);
    }
    const [traceId, spanId] = (entry.sendTrace ?? '').split('-');
    if (traceId && spanId) {
      trace.getActiveSpan()?.addLink({ context: { traceId, spanId, traceFlags: TraceFlags.SAMPLED } });
    }
    trace.getActiveSpan()?.setAttributes({ 'sms_inbox.message_id': entry._id, 'sms_inbox.shop': entry.shop });
    const report: StatusReport = {
      status,
      providerSid: event.messageSid,
      errorCode: event.errorCode || null,
      at: event.receivedAt ?? new Date(),
    };
    const recorded = await this.ledger.recordStatus(entry._id, report, {}, entry);
    if (!recorded) return;
    statusReports.inc({ source: 'callback', outcome: recorded.moved ? 'applied' : 'stale' });
    if (event.errorCode && recorded.moved)
      this.logger.info({ messageId: entry._id, status, code: event.errorCode }, 'delivery status');
    // Also when it did not move: a redelivered callback publishes what a crash left unpublished.
    await this.report.report(recorded.record, report);
  }
}
