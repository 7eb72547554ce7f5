// Sends one outbound text (a merchant's reply or an automatic answer), at most once.
//
// The crash window between "Twilio accepted" and "ledger updated" is closed on the safe side:
// the ledger records `calling` before the provider call. A redelivered request that finds
// `calling` (the process died mid-call, or its ack was lost) never calls blindly: once the call
// can no longer be in flight (the SDK's timeout has passed), it asks Twilio for a message to
// that number with that body created since the call; found → recorded as accepted with its
// sid; not found → Twilio never took it, and it is sent now (its first SMS, not a second).
// A call that got no answer (timeout, reset) or a 5xx is settled the same way before any retry.
//
// Consent is checked again right before each call, so an opted-out number is never sent to
// (the one opt-out confirmation is the only text an opted-out number may get). Sends are paced
// per sending number. 429, 5xx and network errors come back with exponential backoff and jitter
// up to SEND_MAX_ATTEMPTS, then fail; 21610 (unsubscribed at the carrier) fails the message and
// opts the subscriber out through the subscriber service; any other 4xx fails with its code.
//
// The outcome's status (queued with the provider's sid, failed, canceled) is recorded in the
// ledger with its outbox in the same write, then published (report-status): a process that stops
// in between leaves it to the outbox sweep. An accepted reply is also given its first look-up
// time, when the reconciliation asks the provider if no final status came by then.

import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { type Delivery, RetryAfter } from '@sms-inbox/bus';
import { type Logger, maskPhone } from '@sms-inbox/platform';
import { Counter } from 'prom-client';
import { type NumberPacer, retryDelayMs } from '../domain/pacing.js';
import { type Recipients, type SmsProvider, UNSUBSCRIBED_RECIPIENT } from '../domain/ports.js';
import type { OutboundRecord, OutboundRepository } from '../repositories/outbound.repository.js';
import type { ReportStatus } from './report-status.usecase.js';
import { type Idle, SendsFirst } from './sends-first.js';

const deliveries = new Counter({
  name: 'sms_inbox_delivery_sends_total',
  help: 'Outbound send outcomes (accepted, failed, canceled, retry, reconciled) by kind and provider error code',
  labelNames: ['kind', 'outcome', 'code'] as const,
});

const tracer = trace.getTracer('@sms-inbox/delivery');

/** Who may receive a text: replies and confirmations need an active subscriber. */
export type Audience = 'active' | 'opted_out' | 'anyone';

export interface OutboundRequest {
  /** Ledger id: the reply's message id, or "auto:" + the auto-reply request id. */
  id: string;
  /** "reply" or the automatic answer's kind; a metric label. */
  kind: string;
  shop: string;
  /** Empty for a HELP answer to a number that is not a subscriber. */
  subscriberId: string;
  /** Empty for automatic texts: their statuses are not reported to a conversation. */
  conversationId: string;
  to: string;
  /** The sending number when the request names it; else the shop's. */
  from: string;
  body: string;
  mediaUrls: string[];
  audience: Audience;
}

export interface SendOptions {
  shopNumber: (shop: string) => Promise<string>;
  statusCallback: string;
  maxAttempts: number;
  retry: { baseMs: number; capMs: number };
  /** After this long a call recorded as `calling` cannot be in flight any more. */
  settleMs: number;
  /** An accepted reply with no final status this long after is looked up at the provider. */
  reconcileAfterMs: number;
}

/** The status each final state of the ledger reports. */
const STATE_STATUS = { accepted: 'queued', failed: 'failed', canceled: 'canceled' } as const;

const TERMINAL = new Set(Object.keys(STATE_STATUS));

export class SendOutbound {
  constructor(
    private readonly ledger: Pick<OutboundRepository, 'find' | 'claim' | 'update' | 'recordStatus'>,
    private readonly provider: SmsProvider,
    private readonly recipients: Recipients,
    private readonly pacer: NumberPacer,
    private readonly report: ReportStatus,
    private readonly options: SendOptions,
    private readonly logger: Logger,
    /** Counts the sends worked on, for the status reports that give way to them (none by default). */
    private readonly sends: Pick<SendsFirst, 'sending'> = new SendsFirst({ busyAt: 1, maxWaitMs: 0 }),
  ) {}

  /** Sends the request once, whatever was done for it before (a redelivery reads the ledger first). */
  async execute(
    request: OutboundRequest,
    delivery: Pick<Delivery, 'working'> & Partial<Pick<Delivery, 'deliveryCount'>>,
  ): Promise<void> {
    const lookFirst = delivery.deliveryCount !== 1;
    return this.sends.sending((idle) => this.attempt(request, delivery, lookFirst, idle));
  }

  /**
   * `lookFirst`: read the ledger before anything else. A request's first delivery skips the read
   * (its entry almost never exists yet) and lets the claim find out; a claim that meets an entry
   * (the same request published twice) goes on as a redelivery does, reading it first. `idle`
   * runs a wait that is no work (the number's pacing).
   */
  private async attempt(
    request: OutboundRequest,
    delivery: Pick<Delivery, 'working'>,
    lookFirst: boolean,
    idle: Idle,
  ): Promise<void> {
    let entry = lookFirst ? await this.ledger.find(request.id) : null;
    if (entry && TERMINAL.has(entry.state)) return this.finish(request, entry);
    if (entry?.state === 'calling' || (entry?.state === 'retrying' && entry.uncertain)) {
      const settled = await this.settleUnknown(request, entry);
      if (settled) return this.finish(request, settled);
    }

    if (!(await this.mayReceive(request))) {
      entry = await this.record(request, entry, { state: 'canceled' });
      deliveries.inc({ kind: request.kind, outcome: 'canceled', code: 'consent' });
      return this.finish(request, entry);
    }

    const from = entry?.from || request.from || (await this.options.shopNumber(request.shop));
    await this.waitForSlot(from, delivery, idle);
    const attempts = (entry?.attempts ?? 0) + 1;
    // The entry as this delivery wrote it: the accept's conditional write starts from it.
    let calling: OutboundRecord;
    if (entry) {
      const fields = { state: 'calling' as const, from, attempts, calledAt: new Date(), uncertain: false };
      await this.ledger.update(request.id, fields);
      calling = { ...entry, ...fields };
    } else {
      const record = this.newRecord(request, { state: 'calling', from, attempts });
      const claimed = await this.ledger.claim(record);
      // Another delivery of the same request got there first: when the ledger was read, it is
      // handling it; when not, what the entry says decides, as on a redelivery.
      if (!claimed) return lookFirst ? undefined : this.attempt(request, delivery, true, idle);
      calling = { ...record, status: null, updatedAt: new Date() };
    }

    const result = await tracer.startActiveSpan(
      'twilio messages.create',
      {
        kind: SpanKind.CLIENT,
        attributes: { 'sms_inbox.message_id': request.id, 'sms_inbox.shop': request.shop },
      },
      async (span) => {
        try {
          const answer = await this.provider.send({
            to: request.to,
            from,
            body: request.body,
            mediaUrls: request.mediaUrls,
            statusCallback: this.options.statusCallback,
          });
          span.setAttribute('sms_inbox.send_outcome', answer.outcome);
          if (answer.outcome !== 'accepted') span.setStatus({ code: SpanStatusCode.ERROR });
          // The status callbacks arrive in traces of their own; they link back to this call.
          const { traceId, spanId } = span.spanContext();
          return { ...answer, sendTrace: `${traceId}-${spanId}` };
        } finally {
          span.end();
        }
      },
    );
    let outcome: { record: OutboundRecord } | null;
    if (result.outcome === 'accepted') {
      outcome = await this.accept(request, result.providerSid, result.sendTrace, calling);
      deliveries.inc({ kind: request.kind, outcome: 'accepted', code: '' });
    } else if (result.outcome === 'unknown') {
      // Left as `calling`: the next delivery asks Twilio once the call cannot be in flight.
      deliveries.inc({ kind: request.kind, outcome: 'unknown', code: '' });
      throw new RetryAfter(`no answer from the provider: ${result.message}`, this.options.settleMs);
    } else if (result.outcome === 'retry' && attempts < this.options.maxAttempts) {
      // A 5xx may come after Twilio took the message: the next attempt asks Twilio first.
      const uncertain = (result.httpStatus ?? 0) >= 500;
      await this.ledger.update(request.id, { state: 'retrying', errorCode: result.code, uncertain });
      const code = String(result.code ?? result.httpStatus ?? 'network');
      deliveries.inc({ kind: request.kind, outcome: 'retry', code });
      throw new RetryAfter(
        `provider answered ${result.httpStatus ?? 'nothing'} (${result.message}); attempt ${attempts} of ${this.options.maxAttempts}`,
        retryDelayMs(attempts, this.options.retry),
      );
    } else {
      outcome = await this.ledger.recordStatus(
        request.id,
        { status: 'failed', providerSid: '', errorCode: result.code, at: new Date() },
        { state: 'failed', errorCode: result.code },
        calling,
      );
      deliveries.inc({ kind: request.kind, outcome: 'failed', code: String(result.code ?? result.outcome) });
      this.logger.warn(
        {
          messageId: request.id,
          code: result.code,
          httpStatus: 'httpStatus' in result ? result.httpStatus : null,
        },
        'send failed',
      );
    }
    return this.finish(request, outcome?.record ?? (await this.ledger.find(request.id))!);
  }

  /** A call recorded as `calling` whose outcome we never saw: ask the provider, never resend blindly. */
  private async settleUnknown(
    request: OutboundRequest,
    entry: OutboundRecord,
  ): Promise<OutboundRecord | null> {
    const calledAt = entry.calledAt ?? entry.updatedAt;
    const inFlightFor = this.options.settleMs - (Date.now() - calledAt.getTime());
    if (entry.state === 'calling' && inFlightFor > 0) {
      throw new RetryAfter('the previous provider call may still be in flight', inFlightFor + 250);
    }
    const sid = await this.provider.findSent({
      to: request.to,
      from: entry.from || request.from,
      body: request.body,
      since: new Date(calledAt.getTime() - 5_000),
    });
    if (sid) {
      const accepted = await this.accept(request, sid, null, entry);
      deliveries.inc({ kind: request.kind, outcome: 'reconciled', code: 'found' });
      this.logger.warn({ messageId: request.id }, 'unknown send outcome reconciled: the provider has it');
      return accepted?.record ?? null;
    }
    deliveries.inc({ kind: request.kind, outcome: 'reconciled', code: 'absent' });
    this.logger.warn({ messageId: request.id }, 'unknown send outcome reconciled: never sent; sending now');
    return null;
  }

  private async accept(
    request: OutboundRequest,
    providerSid: string,
    sendTrace: string | null,
    known: OutboundRecord,
  ): Promise<{ record: OutboundRecord } | null> {
    const now = new Date();
    return this.ledger.recordStatus(
      request.id,
      { status: 'queued', providerSid, errorCode: null, at: now },
      {
        state: 'accepted',
        providerSid,
        errorCode: null,
        uncertain: false,
        sendTrace,
        // Only a conversation's message has a status to reconcile; automatic texts show nowhere.
        checkAt: request.conversationId ? new Date(now.getTime() + this.options.reconcileAfterMs) : null,
        checks: 0,
      },
      known,
    );
  }

  private async mayReceive(request: OutboundRequest): Promise<boolean> {
    if (!request.subscriberId) return request.audience === 'anyone';
    // Unknown or erased meanwhile: nobody to send to.
    const subscriber = await this.recipients.find(request.shop, request.subscriberId);
    if (!subscriber || subscriber.phone !== request.to) return false;
    return request.audience === 'anyone' || subscriber.status === request.audience;
  }

  /** Waits for the number's next slot, telling the broker the message is still being worked on. */
  private async waitForSlot(from: string, delivery: Pick<Delivery, 'working'>, idle: Idle): Promise<void> {
    let waitMs = this.pacer.reserve(from, Date.now());
    if (waitMs <= 0) return;
    await idle(async () => {
      while (waitMs > 0) {
        const step = Math.min(waitMs, 5_000);
        await new Promise((resolve) => setTimeout(resolve, step));
        waitMs -= step;
        delivery.working();
      }
    });
  }

  private newRecord(
    request: OutboundRequest,
    fields: Pick<OutboundRecord, 'state'> & Partial<OutboundRecord>,
  ): Omit<OutboundRecord, 'updatedAt'> {
    return {
      _id: request.id,
      shop: request.shop,
      conversationId: request.conversationId,
      subscriberId: request.subscriberId,
      to: request.to,
      from: null,
      providerSid: null,
      errorCode: null,
      attempts: 0,
      uncertain: false,
      calledAt: fields.state === 'calling' ? new Date() : null,
      ...fields,
    };
  }

  private async record(
    request: OutboundRequest,
    existing: OutboundRecord | null,
    fields: Pick<OutboundRecord, 'state'>,
  ): Promise<OutboundRecord> {
    if (existing) await this.ledger.update(request.id, fields);
    else await this.ledger.claim(this.newRecord(request, fields));
    return (await this.ledger.find(request.id))!;
  }

  /** Settles what a final state owes: the carrier opt-out, and the status for the conversation. */
  private async finish(request: OutboundRequest, entry: OutboundRecord): Promise<void> {
    if (entry.state === 'failed' && entry.errorCode === UNSUBSCRIBED_RECIPIENT && request.subscriberId) {
      // Repeated until it succeeds (a redelivery comes back here); the cause makes it happen once.
      await this.recipients.optOutByCarrier(
        request.shop,
        request.subscriberId,
        request.id,
        String(UNSUBSCRIBED_RECIPIENT),
      );
      this.logger.info(
        { messageId: request.id, to: maskPhone(request.to) },
        'recipient unsubscribed at the carrier',
      );
    }
    if (!request.conversationId) return;
    let record = entry;
    const implied = STATE_STATUS[entry.state as keyof typeof STATE_STATUS];
    // A ledger entry from before statuses were kept, or canceled on claiming: record it now.
    if (implied && !entry.status) {
      const recorded = await this.ledger.recordStatus(
        entry._id,
        { status: implied, providerSid: entry.providerSid ?? '', errorCode: entry.errorCode, at: new Date() },
        {},
        entry,
      );
      if (recorded) record = recorded.record;
    }
    await this.report.flush(record);
  }
}
