// Sends one requested reply, at most once. The crash window between "Twilio accepted" and
// "ledger updated" is closed on the safe side: the ledger records `calling` before the provider
// call, so a redelivered request that finds `calling` (the process died mid-call) does not call
// again; it asks the provider whether the message exists and records what it finds, or marks
// the message failed (visibly, never resent blindly). A retryable provider answer (429, 5xx,
// network) goes back to `retrying` and the bus redelivers with backoff. Consent is checked again
// right before the call: an opted-out number is never sent to.
import type { Bus } from '@sms-inbox/bus';
import { type conversationV1, Events, type subscriberV1 } from '@sms-inbox/contracts';
import { call } from '@sms-inbox/grpc';
import type { Logger } from '@sms-inbox/platform';
import { Counter } from 'prom-client';
import type { SmsProvider } from '../providers/twilio.adapter.js';
import type { OutboundRepository } from '../repositories/outbound.repository.js';

const deliveries = new Counter({
  name: 'sms_inbox_deliveries_total',
  help: 'Reply send outcomes (accepted, failed, canceled, retry) by provider error code',
  labelNames: ['outcome', 'code'] as const,
});

export class RetryLater extends Error {
  override readonly name = 'RetryLater';
}

export class SendReply {
  constructor(
    private readonly ledger: OutboundRepository,
    private readonly provider: SmsProvider,
    private readonly subscribers: subscriberV1.SubscriberServiceClient,
    private readonly bus: Bus,
    private readonly options: {
      from: (shop: string) => Promise<string>;
      statusCallback: string;
      maxAttempts: number;
    },
    private readonly logger: Logger,
  ) {}

  async execute(request: conversationV1.SendRequested, deliveryCount: number): Promise<void> {
    const existing = await this.ledger.find(request.messageId);
    if (existing && existing.state !== 'retrying') {
      if (existing.state === 'calling') await this.settleUnknown(request);
      return this.report(request, (await this.ledger.find(request.messageId))!);
    }

    const { subscriber } = await call(this.subscribers, this.subscribers.getSubscriber, {
      shop: request.shop,
      id: request.subscriberId,
    });
    if (subscriber?.status !== 'active' || subscriber.phone !== request.to) {
      await this.record(request, existing, { state: 'canceled', attempts: existing?.attempts ?? 0 });
      deliveries.inc({ outcome: 'canceled', code: 'opted_out' });
      return this.report(request, (await this.ledger.find(request.messageId))!);
    }

    const attempts = (existing?.attempts ?? 0) + 1;
    if (existing)
      await this.ledger.update(request.messageId, { state: 'calling', attempts, calledAt: new Date() });
    else {
      const claimed = await this.ledger.claim({
        _id: request.messageId,
        shop: request.shop,
        conversationId: request.conversationId,
        to: request.to,
        state: 'calling',
        providerSid: null,
        errorCode: null,
        attempts,
        calledAt: new Date(),
      });
      if (!claimed) return; // another delivery of the same request got there first
    }

    const result = await this.provider.send({
      to: request.to,
      from: await this.options.from(request.shop),
      body: request.text,
      mediaUrls: request.mediaUrls,
      statusCallback: this.options.statusCallback,
    });
    if (result.outcome === 'accepted') {
      await this.ledger.linkProviderSid(result.providerSid, request.messageId);
      await this.ledger.update(request.messageId, { state: 'accepted', providerSid: result.providerSid });
      deliveries.inc({ outcome: 'accepted', code: '' });
    } else if (result.outcome === 'retry' && attempts < this.options.maxAttempts) {
      await this.ledger.update(request.messageId, { state: 'retrying', errorCode: result.code });
      deliveries.inc({ outcome: 'retry', code: String(result.code ?? result.httpStatus ?? 'network') });
      throw new RetryLater(
        `provider answered ${result.httpStatus ?? 'nothing'}; attempt ${attempts} (delivery ${deliveryCount})`,
      );
    } else {
      await this.ledger.update(request.messageId, { state: 'failed', errorCode: result.code });
      deliveries.inc({ outcome: 'failed', code: String(result.code ?? result.outcome) });
      this.logger.warn({ messageId: request.messageId, code: result.code }, 'reply failed');
    }
    return this.report(request, (await this.ledger.find(request.messageId))!);
  }

  /** The process died during a provider call: nothing is sent again; the message is failed visibly. */
  private async settleUnknown(request: conversationV1.SendRequested): Promise<void> {
    this.logger.warn({ messageId: request.messageId }, 'send outcome unknown after a crash; not resending');
    await this.ledger.update(request.messageId, { state: 'failed', errorCode: null });
    deliveries.inc({ outcome: 'failed', code: 'unknown_outcome' });
  }

  private async record(
    request: conversationV1.SendRequested,
    existing: unknown,
    fields: { state: 'canceled'; attempts: number },
  ): Promise<void> {
    if (existing) await this.ledger.update(request.messageId, fields);
    else {
      await this.ledger.claim({
        _id: request.messageId,
        shop: request.shop,
        conversationId: request.conversationId,
        to: request.to,
        providerSid: null,
        errorCode: null,
        calledAt: null,
        ...fields,
      });
    }
  }

  private async report(
    request: conversationV1.SendRequested,
    entry: { state: string; providerSid: string | null; errorCode: number | null },
  ) {
    const status = { accepted: 'queued', failed: 'failed', canceled: 'canceled' }[
      entry.state as 'accepted' | 'failed' | 'canceled'
    ];
    if (!status) return;
    await this.bus.publish(
      Events.deliveryStatusChanged,
      {
        messageId: request.messageId,
        shop: request.shop,
        conversationId: request.conversationId,
        status,
        providerSid: entry.providerSid ?? '',
        errorCode: entry.errorCode ?? 0,
        at: new Date(),
      },
      { msgId: `status:${request.messageId}:${status}` },
    );
  }
}
