// An inbound SMS from ingestion: classify it against the shop's keywords and the sender's
// consent state, apply consent changes, and pass a subscriber's reply on to conversations.
// Idempotent: redeliveries repeat no effect (audit keyed by MessageSid, conditional status
// transitions, events de-duplicated by id and version).
import type { Bus } from '@sms-inbox/bus';
import { Events, type ingestionV1 } from '@sms-inbox/contracts';
import type { Logger } from '@sms-inbox/platform';
import { Counter } from 'prom-client';
import { classifyInbound } from '../domain/classify-inbound.js';
import type { ConsentAuditRepository } from '../repositories/consent-audit.repository.js';
import type { ShopRepository } from '../repositories/shop.repository.js';
import type { SubscriberRecord, SubscriberRepository } from '../repositories/subscriber.repository.js';
import { toSubscriberMessage } from './subscriber-view.js';

const inboundByKind = new Counter({
  name: 'sms_inbox_inbound_classified_total',
  help: 'Inbound texts by classification',
  labelNames: ['kind'] as const,
});

export class HandleInboundSms {
  constructor(
    private readonly shops: ShopRepository,
    private readonly subscribers: SubscriberRepository,
    private readonly audit: ConsentAuditRepository,
    private readonly bus: Bus,
    private readonly logger: Logger,
  ) {}

  async execute(sms: ingestionV1.SmsReceived): Promise<void> {
    const shop = await this.shops.find(sms.shop);
    if (!shop) {
      inboundByKind.inc({ kind: 'unknown_shop' });
      this.logger.warn(
        { shop: sms.shop, messageSid: sms.messageSid },
        'inbound text for a shop without settings',
      );
      return;
    }
    const at = sms.receivedAt ?? new Date();
    const existing = await this.subscribers.findByPhone(sms.shop, sms.from);
    const intent = classifyInbound(sms.body, shop.keywords, existing?.status ?? 'unknown');
    inboundByKind.inc({ kind: intent.kind === 'ignored' ? intent.reason : intent.kind });

    switch (intent.kind) {
      case 'ignored':
        if (existing) {
          // A redelivery of the text that created this subscriber: finish what a crash interrupted.
          if (existing.createdAt.getTime() === at.getTime()) await this.recordKeywordOptIn(existing, sms);
          // An already-applied consent change may still owe its event.
          await this.announce(existing, shop);
        }
        return;
      case 'help':
        // The HELP auto-reply leaves through delivery (replies/delivery work).
        return;
      case 'opt_in': {
        if (!existing) {
          const { subscriber } = await this.subscribers.createIfAbsent(
            {
              shop: sms.shop,
              phone: sms.from,
              firstName: null,
              lastName: null,
              source: 'keyword',
              customerId: null,
              customerUrl: null,
              status: 'active',
              timezone: null,
            },
            at,
          );
          await this.recordKeywordOptIn(subscriber, sms);
          await this.announce(subscriber, shop);
          return;
        }
        await this.changeStatus(
          existing,
          'active',
          intent.via === 'keyword' ? 'keyword' : 'consent_word',
          sms,
          shop,
        );
        return;
      }
      case 'opt_out':
        await this.changeStatus(existing!, 'opted_out', 'consent_word', sms, shop);
        return;
      case 'reply': {
        const subscriber = existing!;
        await this.bus.publish(
          Events.replyReceived,
          {
            messageSid: sms.messageSid,
            shop: sms.shop,
            subscriber: toSubscriberMessage(subscriber, shop, at),
            body: sms.body,
            media: sms.media,
            receivedAt: at,
          },
          { msgId: `reply:${sms.messageSid}` },
        );
        return;
      }
    }
  }

  private async changeStatus(
    subscriber: SubscriberRecord,
    to: 'active' | 'opted_out',
    source: 'keyword' | 'consent_word',
    sms: ingestionV1.SmsReceived,
    shop: Parameters<typeof toSubscriberMessage>[1],
  ): Promise<void> {
    const at = sms.receivedAt ?? new Date();
    await this.audit.record({
      _id: `sms:${sms.messageSid}`,
      shop: sms.shop,
      subscriberId: subscriber._id,
      from: subscriber.status,
      to,
      source,
      detail: sms.body.slice(0, 40),
      at,
    });
    const changed = await this.subscribers.transition(sms.shop, subscriber._id, subscriber.status, to, at);
    await this.announce(changed ?? subscriber, shop);
  }

  private recordKeywordOptIn(subscriber: SubscriberRecord, sms: ingestionV1.SmsReceived) {
    return this.audit.record({
      _id: `sms:${sms.messageSid}`,
      shop: sms.shop,
      subscriberId: subscriber._id,
      from: 'none',
      to: 'active',
      source: 'keyword',
      detail: sms.body.slice(0, 40),
      at: subscriber.createdAt,
    });
  }

  /** Publishes the subscriber's current state; the id includes the version, so repeats are dropped. */
  private async announce(subscriber: SubscriberRecord, shop: Parameters<typeof toSubscriberMessage>[1]) {
    await this.bus.publish(
      Events.subscriberChanged,
      {
        subscriber: toSubscriberMessage(subscriber, shop),
        version: subscriber.version,
        changedAt: subscriber.updatedAt,
      },
      { msgId: `subscriber:${subscriber._id}:${subscriber.version}` },
    );
  }
}
