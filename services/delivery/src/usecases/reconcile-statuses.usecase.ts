// The reconciliation of outbound statuses: Twilio does not call a failed status callback again,
// so a reply whose callbacks were lost (ingestion down, a network fault, a process stopped right
// after the provider accepted it) would show `queued` for ever. Every accepted reply whose status
// is not final when its look-up time comes is fetched from the provider, and what it says is
// recorded by the usual precedence and reported like a callback. Look-ups of a message still not
// final back off (doubling up to a cap) and stop at a maximum age. A pass takes a bounded batch
// and paces its calls; the job runs it on one replica at a time (a lease).
import { isFinal, type Logger } from '@sms-inbox/platform';
import { Counter, Gauge } from 'prom-client';
import { fromTwilioStatus } from '../domain/delivery-status.js';
import type { SmsProvider } from '../domain/ports.js';
import type {
  OutboundRecord,
  OutboundRepository,
  StatusReport,
} from '../repositories/outbound.repository.js';
import { statusReports } from './apply-provider-status.usecase.js';
import type { ReportStatus } from './report-status.usecase.js';

const checks = new Counter({
  name: 'sms_inbox_delivery_reconcile_checks_total',
  help: "Look-ups of a sent message's status at the provider, by outcome (changed, unchanged, missing, error, expired) and the status found",
  labelNames: ['outcome', 'status'] as const,
});

const due = new Gauge({
  name: 'sms_inbox_delivery_reconcile_due',
  help: "Accepted messages whose status look-up was due at the start of this replica's last reconciliation pass (0 on replicas without the lease)",
});

export interface ReconcileOptions {
  /** Look-ups per pass. */
  batch: number;
  /** Look-ups per second toward the provider. */
  ratePerSecond: number;
  /** The first look-up's delay after the send; later ones double it, up to `capMs`. */
  afterMs: number;
  capMs: number;
  /** A message older than this is not looked up any more. */
  maxAgeMs: number;
}

export class ReconcileStatuses {
  constructor(
    private readonly ledger: OutboundRepository,
    private readonly provider: SmsProvider,
    private readonly report: ReportStatus,
    private readonly options: ReconcileOptions,
    private readonly logger: Logger,
  ) {}

  /** This replica does not hold the lease: the backlog is reported by the one that does. */
  standBy(): void {
    due.set(0);
  }

  /** One pass over the messages due now; `stopping` ends it early. Returns how many were looked up. */
  async runOnce(stopping: () => boolean = () => false): Promise<number> {
    const now = new Date();
    const [batch, count] = await Promise.all([
      this.ledger.dueForCheck(now, this.options.batch),
      this.ledger.countDueForCheck(now),
    ]);
    due.set(count);
    const spacingMs = 1_000 / this.options.ratePerSecond;
    let done = 0;
    for (const entry of batch) {
      if (stopping()) break;
      const started = Date.now();
      await this.check(entry);
      done += 1;
      const wait = spacingMs - (Date.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    if (done) this.logger.info({ checked: done, due: count }, 'outbound statuses reconciled');
    return done;
  }

  private async check(entry: OutboundRecord): Promise<void> {
    const sid = entry.providerSid;
    if (!sid) return this.ledger.scheduleCheck(entry._id, null, entry.checks ?? 0);
    let found: Awaited<ReturnType<SmsProvider['fetchStatus']>>;
    try {
      found = await this.provider.fetchStatus(sid);
    } catch (err) {
      checks.inc({ outcome: 'error', status: '' });
      this.logger.warn({ messageId: entry._id, err }, 'status look-up failed; tried again later');
      return this.later(entry);
    }
    if (!found) {
      checks.inc({ outcome: 'missing', status: '' });
      this.logger.warn({ messageId: entry._id }, 'the provider has no such message; not looked up again');
      return this.ledger.scheduleCheck(entry._id, null, (entry.checks ?? 0) + 1);
    }
    const status = fromTwilioStatus(found.status);
    let record = entry;
    if (status && status !== 'sending') {
      const report: StatusReport = {
        status,
        providerSid: sid,
        errorCode: found.errorCode,
        price: found.price,
        priceUnit: found.priceUnit,
        at: new Date(),
      };
      const recorded = await this.ledger.recordStatus(entry._id, report, {}, entry);
      if (!recorded) return;
      record = recorded.record;
      checks.inc({ outcome: recorded.moved ? 'changed' : 'unchanged', status });
      statusReports.inc({ source: 'reconcile', outcome: recorded.moved ? 'applied' : 'stale' });
      await this.report.report(record, report);
    } else {
      checks.inc({ outcome: 'unchanged', status: found.status });
    }
    if (!record.status || !isFinal(record.status)) await this.later(record);
    // Final already (the look-up found nothing new): no more look-ups.
    else if (record.checkAt) await this.ledger.scheduleCheck(record._id, null, (record.checks ?? 0) + 1);
  }

  /** The next look-up, doubling the delay, or none past the maximum age. */
  private later(entry: OutboundRecord): Promise<void> {
    const made = (entry.checks ?? 0) + 1;
    const age = Date.now() - (entry.calledAt ?? entry.updatedAt).getTime();
    if (age >= this.options.maxAgeMs) {
      checks.inc({ outcome: 'expired', status: entry.status ?? '' });
      return this.ledger.scheduleCheck(entry._id, null, made);
    }
    const delay = Math.min(this.options.afterMs * 2 ** made, this.options.capMs);
    return this.ledger.scheduleCheck(entry._id, new Date(Date.now() + delay), made);
  }
}
