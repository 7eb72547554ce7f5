// Shopify customer and consent webhooks (checkout opt-in), in either order: a profile enriches
// the subscriber with that phone or customer id (never a second subscriber), SMS consent
// `subscribed` creates or re-activates one with source `checkout`, `unsubscribed` opts out.
// Texts the number sent before this was handled are handled again (HandleInboundSms.release).
// Privacy topics erase (customers/redact, shop/redact) or export (customers/data_request).
import type { ingestionV1 } from '@sms-inbox/contracts';
import type { Logger } from '@sms-inbox/platform';
import { timezoneOfAddress } from '../domain/address-timezone.js';
import type { CustomerProfileRepository } from '../repositories/customer-profile.repository.js';
import type { ShopRepository } from '../repositories/shop.repository.js';
import type { SubscriberRecord, SubscriberRepository } from '../repositories/subscriber.repository.js';
import type { Consent, ConsentCause } from './consent.usecase.js';
import type { HandleInboundSms } from './handle-inbound-sms.usecase.js';
import type { Privacy } from './privacy.usecase.js';

/** The customer's page in the Shopify admin. */
export function customerUrlOf(shop: string, customerId: string): string {
  return `https://admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, '')}/customers/${customerId}`;
}

export class HandleShopifyWebhook {
  constructor(
    private readonly shops: ShopRepository,
    private readonly subscribers: SubscriberRepository,
    private readonly profiles: CustomerProfileRepository,
    private readonly consent: Consent,
    private readonly privacy: Privacy,
    private readonly heldTexts: Pick<HandleInboundSms, 'release'>,
    private readonly logger: Logger,
  ) {}

  async execute(event: ingestionV1.ShopifyWebhookReceived): Promise<void> {
    switch (event.topic) {
      case 'shop/redact':
        return this.privacy.redactShop(event.shop);
      case 'customers/redact':
        return this.privacy.redactCustomer(event.shop, event.customer!);
      case 'customers/data_request':
        return this.privacy.recordDataRequest(
          event.shop,
          event.customer!,
          event.dataRequestId,
          event.webhookId,
        );
      default:
        return this.customer(event);
    }
  }

  private async customer(event: ingestionV1.ShopifyWebhookReceived): Promise<void> {
    const shop = await this.shops.find(event.shop);
    const c = event.customer;
    if (!shop || !c) {
      this.logger.warn(
        { shop: event.shop, topic: event.topic },
        'customer webhook for a shop without settings',
      );
      return;
    }
    const stored = await this.profiles.find(event.shop, c.id);
    // A consent-only payload has no names or address: take them from a profile seen earlier.
    const profile = {
      firstName: c.firstName || stored?.firstName || null,
      lastName: c.lastName || stored?.lastName || null,
      countryCode: c.countryCode || stored?.countryCode || '',
      provinceCode: c.provinceCode || stored?.provinceCode || '',
    };
    const phone = c.phone || stored?.phone || '';
    const fields = {
      firstName: profile.firstName,
      lastName: profile.lastName,
      customerId: c.id,
      customerUrl: customerUrlOf(event.shop, c.id),
      timezone: timezoneOfAddress(profile.countryCode, profile.provinceCode),
      region: profile.countryCode ? `${profile.countryCode}-${profile.provinceCode}` : null,
    };
    await this.profiles.save({ shop: event.shop, customerId: c.id, phone, ...profile });

    let subscriber: SubscriberRecord | null =
      (await this.subscribers.findByCustomerId(event.shop, c.id)) ??
      (phone ? await this.subscribers.findByPhone(event.shop, phone) : null);
    if (subscriber) subscriber = await this.subscribers.enrich(event.shop, subscriber._id, fields);

    const cause: ConsentCause = {
      id: `shopify:${event.webhookId}`,
      source: 'checkout',
      at: c.smsConsent?.updatedAt ?? event.receivedAt ?? new Date(),
      detail: `${event.topic} ${c.smsConsent?.collectedFrom ?? ''}`.trim(),
    };
    const state = c.smsConsent?.state;
    if (state === 'subscribed' && phone) {
      subscriber = subscriber
        ? await this.consent.change(subscriber, 'active', cause)
        : await this.consent.subscribe({ shop: event.shop, phone, source: 'checkout', ...fields }, cause);
    } else if ((state === 'unsubscribed' || state === 'redacted') && subscriber) {
      subscriber = await this.consent.change(subscriber, 'opted_out', cause);
    }
    if (!subscriber) return;
    await this.consent.settle(subscriber, shop, cause);
    // The customer may have texted before this webhook was handled: those texts were held.
    if (state === 'subscribed' && subscriber.status === 'active') await this.heldTexts.release(subscriber);
  }
}
