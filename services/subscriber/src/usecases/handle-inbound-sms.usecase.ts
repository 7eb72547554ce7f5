// An inbound SMS from ingestion: classify it against the shop's keywords and the sender's
// consent state, apply consent changes (keyword opt-in, STOP, START), request the owed
// auto-replies (confirmations, HELP), and pass the text on to the subscriber's conversation.
// Idempotent: the cause is "sms:<MessageSid>" everywhere (see Consent).
//
// A text from a number that is not a subscriber is held, not dropped: a checkout's consent
// webhook travels on another stream and may be handled after the customer's first text. When
// the number subscribes, its texts sent since its consent are handled again (`release`).
import type { Bus } from '@sms-inbox/bus';
import { Events, type ingestionV1 } from '@sms-inbox/contracts';
import { type Logger, maskPhone, normalizePhone } from '@sms-inbox/platform';
import { Counter } from 'prom-client';
import { classifyInbound, isCommandWord } from '../domain/classify-inbound.js';
import { type HeldTextRepository, heldToSms } from '../repositories/held-text.repository.js';
import type { ShopRepository, ShopSettings } from '../repositories/shop.repository.js';
import type { SubscriberRecord, SubscriberRepository } from '../repositories/subscriber.repository.js';
import { toSubscriberMessage } from '../views/subscriber-view.js';
import type { Consent, ConsentCause } from './consent.usecase.js';

const inboundByKind = new Counter({
  name: 'sms_inbox_inbound_classified_total',
  help: 'Inbound texts by classification',
  labelNames: ['kind'] as const,
});

/**
 * A held text sent this long before the subscriber's consent still counts as sent after it: the
 * consent time is Shopify's clock, the text's is ours.
 */
export const CONSENT_CLOCK_SKEW_MS = 60_000;

export class HandleInboundSms {
  constructor(
    private readonly shops: ShopRepository,
    private readonly subscribers: SubscriberRepository,
    private readonly consent: Consent,
    private readonly held: HeldTextRepository,
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
      // A stranger's HELP still gets the help text (carriers require it); other texts nothing,
      // unless the number subscribes soon after.
      if (intent.kind === 'help') await this.consent.helpForStranger(shop, phone, cause);
      else if (intent.kind === 'ignored' && intent.reason === 'unknown_sender') await this.hold(sms, phone);
      return;
    }
    await this.consent.settle(subscriber, shop, cause, intent.kind === 'help' ? 'help' : undefined);
    // A known subscriber's command words stay in their conversation's history.
    if (isCommandWord(sms.body, shop.keywords)) await this.forwardToConversation(sms, subscriber, shop, true);
  }

  /**
   * Handles again the texts held for a number that has become a subscriber: those sent since its
   * last consent change (older ones stay unanswered, as they were), oldest first; then drops them.
   */
  async release(subscriber: SubscriberRecord): Promise<void> {
    const texts = await this.held.of(subscriber.shop, subscriber.phone);
    const since = subscriber.consentAt
      ? new Date(subscriber.consentAt).getTime() - CONSENT_CLOCK_SKEW_MS
      : null;
    for (const text of texts) {
      if (since !== null && new Date(text.receivedAt).getTime() >= since) await this.execute(heldToSms(text));
      await this.held.remove(text.shop, text._id);
    }
  }

  /**
   * Keeps a stranger's text. A subscription handled meanwhile looks for held texts after its own
   * write, and this looks for the subscriber after the text was kept, so one of the two finds the
   * other (both may: handling a text twice has one effect).
   */
  private async hold(sms: ingestionV1.SmsReceived, phone: string): Promise<void> {
    if (!(await this.held.hold(phone, sms))) return; // erased meanwhile
    const subscriber = await this.subscribers.findByPhone(sms.shop, phone);
    if (subscriber) await this.release(subscriber);
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
