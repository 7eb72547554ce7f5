// Shopify's mandatory privacy requests for this context. customers/redact erases the
// subscriber's personal data but keeps the proof of consent (id, status, when and how it was
// decided; the phone only as a one-way hash); shop/redact deletes everything of the shop;
// customers/data_request is recorded so the merchant can fetch the customer's export.
// Other services erase their part on the events published here.
import type { Bus } from '@sms-inbox/bus';
import { Events, type ingestionV1 } from '@sms-inbox/contracts';
import { partyHash } from '@sms-inbox/platform';
import type { ConsentAuditRepository } from '../repositories/consent-audit.repository.js';
import type { CustomerProfileRepository } from '../repositories/customer-profile.repository.js';
import type { DataRequest, DataRequestRepository } from '../repositories/data-request.repository.js';
import type { HeldTextRepository } from '../repositories/held-text.repository.js';
import type { ShopRepository } from '../repositories/shop.repository.js';
import type { SubscriberRecord, SubscriberRepository } from '../repositories/subscriber.repository.js';

export class Privacy {
  constructor(
    private readonly dataRequests: DataRequestRepository,
    private readonly shops: ShopRepository,
    private readonly subscribers: SubscriberRepository,
    private readonly profiles: CustomerProfileRepository,
    private readonly audit: ConsentAuditRepository,
    private readonly held: HeldTextRepository,
    private readonly bus: Bus,
  ) {}

  private async locate(
    shop: string,
    customer: ingestionV1.ShopifyCustomer,
  ): Promise<SubscriberRecord | null> {
    return (
      (await this.subscribers.findByCustomerId(shop, customer.id)) ??
      (customer.phone ? await this.subscribers.findByPhone(shop, customer.phone) : null)
    );
  }

  async redactCustomer(shop: string, customer: ingestionV1.ShopifyCustomer): Promise<void> {
    const profile = await this.profiles.find(shop, customer.id);
    const subscriber = await this.locate(shop, customer);
    const phone =
      subscriber && !subscriber.phone.startsWith('redacted:')
        ? subscriber.phone
        : customer.phone || profile?.phone || '';
    const hash = phone ? partyHash(shop, phone) : '';
    await this.profiles.delete(shop, customer.id);
    // Texts are held under the number they came from: each number this customer is known by.
    const phones = new Set([phone, customer.phone, profile?.phone].filter((p): p is string => !!p));
    await Promise.all([...phones].map((p) => this.held.eraseNumber(shop, p)));
    if (subscriber) {
      await this.subscribers.redact(shop, subscriber._id, hash || subscriber.phone.replace(/^redacted:/, ''));
      await this.audit.redact(shop, subscriber._id);
      await this.dataRequests.deleteForSubscriber(shop, subscriber._id);
    }
    await this.bus.publish(
      Events.subscriberRedacted,
      { shop, subscriberId: subscriber?._id ?? '', partyHash: hash },
      { msgId: `redact:${shop}:${customer.id}` },
    );
  }

  async redactShop(shop: string): Promise<void> {
    await Promise.all([
      this.subscribers.deleteShop(shop),
      this.audit.deleteShop(shop),
      this.profiles.deleteShop(shop),
      this.dataRequests.deleteShop(shop),
      this.shops.delete(shop),
      this.held.eraseShop(shop),
    ]);
    await this.bus.publish(Events.shopRedacted, { shop }, { msgId: `shop-redact:${shop}` });
  }

  async recordDataRequest(
    shop: string,
    customer: ingestionV1.ShopifyCustomer,
    shopifyRequestId: string,
    webhookId: string,
  ) {
    const subscriber = await this.locate(shop, customer);
    await this.dataRequests.record({
      _id: webhookId,
      shop,
      subscriberId: subscriber?._id ?? null,
      customerId: customer.id,
      shopifyRequestId,
      requestedAt: new Date(),
    });
  }

  listDataRequests(shop: string): Promise<DataRequest[]> {
    return this.dataRequests.list(shop);
  }
}
