// Twilio's status callbacks for sent replies: mapped to our statuses and reported to the
// conversation service, which applies them by precedence (a late callback never moves a status
// back). A callback that arrives before the ledger knows the provider sid is retried.
import { TraceFlags, trace } from '@opentelemetry/api';
import type { Bus } from '@sms-inbox/bus';
import { Events, type ingestionV1 } from '@sms-inbox/contracts';
import type { Logger } from '@sms-inbox/platform';
import { fromTwilioStatus } from '../domain/delivery-status.js';
import type { OutboundRepository } from '../repositories/outbound.repository.js';

export class UnknownProviderSid extends Error {
  override readonly name = 'UnknownProviderSid';
}

export class ApplyProviderStatus {
  constructor(
    private readonly ledger: OutboundRepository,
    private readonly bus: Bus,
    private readonly logger: Logger,
  ) {}

  async execute(event: ingestionV1.DeliveryStatusReceived): Promise<void> {
    const status = fromTwilioStatus(event.messageStatus);
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
    if (!entry.conversationId) return; // an automatic text: no conversation message to update
    if (event.errorCode)
      this.logger.info({ messageId: entry._id, status, code: event.errorCode }, 'delivery status');
    await this.bus.publish(
      Events.deliveryStatusChanged,
      {
        messageId: entry._id,
        shop: entry.shop,
        conversationId: entry.conversationId,
        status,
        providerSid: event.messageSid,
        errorCode: event.errorCode,
        at: event.receivedAt ?? new Date(),
      },
      { msgId: `status:${entry._id}:${status}` },
    );
  }
}
