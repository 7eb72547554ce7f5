// An inbound SMS from ingestion: classify it against the shop's keywords and the sender's
// consent state, apply consent changes (keyword opt-in, STOP, START), request the owed
// auto-replies (confirmations, HELP), and pass the text on to the subscriber's conversation.
// Idempotent: the cause is "sms:<MessageSid>" everywhere (see Consent).
import type { Bus } from '@sms-inbox/bus';
import { Events, type ingestionV1 } from '@sms-inbox/contracts';
import { type Logger, maskPhone, normalizePhone } from '@sms-inbox/platform';
import { Counter } from 'prom-client';
import { classifyInbound, isCommandWord } from '../domain/classify-inbound.js';
import type { ShopRepository, ShopSettings } from '../repositories/shop.repository.js';
import type { SubscriberRecord, SubscriberRepository } from '../repositories/subscriber.repository.js';
import { toSubscriberMessage } from '../views/subscriber-view.js';
import type { Consent, ConsentCause } from './consent.usecase.js';

const inboundByKind = new Counter({
  name: 'sms_inbox_inbound_classified_total',
  help: 'Inbound texts by classification',
  labelNames: ['kind'] as const,
});

export class HandleInboundSms {
  constructor(
    private readonly shops: ShopRepository,
    private readonly subscribers: SubscriberRepository,
    private readonly consent: Consent,
    private readonly bus: Bus,
    private readonly logger: Logger,
  ) {}

  async execute(sms: ingestionV1.SmsReceived): Promise<void> {
    const phone = normalizePhone(sms.from);
    // The shop and the sender are read at once: neither read depends on the other.
    const [shop, found] = await Promise.all([
      this.shops.find(sms.shop),
      phone ? this.subscribers.findByPhone(sms.shop, phone) : null,
    ]);
    if (!shop) {
      inboundByKind.inc({ kind: 'unknown_shop' });
      this.logger.warn(
        { shop: sms.shop, messageSid: sms.messageSid },
        'inbound text for a shop without settings',
      );
      return;
    }
    if (!phone) {
      inboundByKind.inc({ kind: 'invalid_phone' });
      this.logger.warn(
        { messageSid: sms.messageSid, from: maskPhone(sms.from) },
        'inbound text from an unparseable number',
      );
      return;
    }
    const cause: ConsentCause = {
      id: `sms:${sms.messageSid}`,
      source: 'consent_word',
      at: sms.receivedAt ?? new Date(),
      detail: sms.body.trim().slice(0, 40),
    };
    let subscriber = found;
    const intent = classifyInbound(sms.body, shop.keywords, subscriber?.status ?? 'unknown');
    inboundByKind.inc({ kind: intent.kind === 'ignored' ? intent.reason : intent.kind });

    switch (intent.kind) {
      case 'opt_in':
        subscriber = subscriber
          ? await this.consent.change(subscriber, 'active', {
              ...cause,
              source: intent.via === 'keyword' ? 'keyword' : 'consent_word',
            })
          : await this.consent.subscribe(
              {
                shop: sms.shop,
                phone,
                firstName: null,
                lastName: null,
                source: 'keyword',
                customerId: null,
                customerUrl: null,
                timezone: null,
                region: null,
              },
              { ...cause, source: 'keyword' },
            );
        break;
      case 'opt_out':
        subscriber = await this.consent.change(subscriber!, 'opted_out', cause);
        break;
      case 'reply':
        await this.forwardToConversation(sms, subscriber!, shop, false);
        return;
      case 'help':
      case 'ignored':
        break;
    }
    if (!subscriber) {
      // A stranger's HELP still gets the help text (carriers require it); other texts nothing.
      if (intent.kind === 'help') await this.consent.helpForStranger(shop, phone, cause);
      return;
    }
    await this.consent.settle(subscriber, shop, cause, intent.kind === 'help' ? 'help' : undefined);
    // A known subscriber's command words stay in their conversation's history.
    if (isCommandWord(sms.body, shop.keywords)) await this.forwardToConversation(sms, subscriber, shop, true);
  }

  private async forwardToConversation(
    sms: ingestionV1.SmsReceived,
    subscriber: SubscriberRecord,
    shop: ShopSettings,
    consentWord: boolean,
  ) {
    const at = sms.receivedAt ?? new Date();
    await this.bus.publish(
      Events.replyReceived,
      {
        messageSid: sms.messageSid,
        shop: sms.shop,
        subscriber: toSubscriberMessage(subscriber, shop, at),
        body: sms.body,
        media: sms.media,
        receivedAt: at,
        consentWord,
      },
      { msgId: `reply:${sms.messageSid}` },
    );
  }
}
