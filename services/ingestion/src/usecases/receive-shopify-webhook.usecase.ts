// A verified Shopify webhook: check and normalise its payload, record the receipt
// (de-duplication by X-Shopify-Event-Id, else X-Shopify-Webhook-Id), publish
// `ingestion.shopify_webhook.v1`, and only then let the webhook be answered. A receipt recorded
// while its shop (or customer) was being erased is erased again (EraseReceipts.settle).
import type { Bus } from '@sms-inbox/bus';
import { Events } from '@sms-inbox/contracts';
import { invalid, notFound, partyHash } from '@sms-inbox/platform';
import type { ShopDirectory } from '../domain/ports.js';
import { type HandledTopic, isHandledTopic, parseShopifyPayload } from '../domain/shopify-payload.js';
import type { Receipt, ReceiptRepository } from '../repositories/receipt.repository.js';
import type { EraseReceipts } from './erase.usecase.js';

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]{0,62}\.myshopify\.com$/;

export interface ShopifyDelivery {
  topic: string | undefined;
  shopDomain: string | undefined;
  webhookId: string | undefined;
  eventId: string | undefined;
  body: unknown;
}

export class ReceiveShopifyWebhook {
  constructor(
    private readonly receipts: ReceiptRepository,
    private readonly shops: ShopDirectory,
    private readonly bus: Bus,
    private readonly erase: Pick<EraseReceipts, 'settle'>,
  ) {}

  async execute(delivery: ShopifyDelivery): Promise<{ handled: boolean; duplicate: boolean }> {
    const started = new Date();
    const shop = delivery.shopDomain?.trim().toLowerCase() ?? '';
    if (!SHOP_DOMAIN.test(shop))
      throw invalid('invalid_shop_domain', 'X-Shopify-Shop-Domain must be a myshopify.com domain');
    const deliveryId = (delivery.eventId || delivery.webhookId || '').trim();
    if (!deliveryId || deliveryId.length > 100) {
      throw invalid('missing_webhook_id', 'X-Shopify-Event-Id or X-Shopify-Webhook-Id is required');
    }
    const topic = delivery.topic?.trim() ?? '';
    if (!topic) throw invalid('missing_topic', 'X-Shopify-Topic is required');
    // Topics the app did not subscribe to are acknowledged and ignored, so Shopify stops sending.
    if (!isHandledTopic(topic)) return { handled: false, duplicate: false };
    if (typeof delivery.body !== 'object' || delivery.body === null || Array.isArray(delivery.body)) {
      throw invalid('malformed_body', 'the webhook body must be a JSON object');
    }
    const parsed = parseShopifyPayload(topic as HandledTopic, delivery.body);
    // Customer data arrives only for shops using the app; privacy requests may come after it left.
    if (!topic.includes('redact') && topic !== 'customers/data_request' && !(await this.shops.exists(shop))) {
      throw notFound('unknown_shop', 'this shop has not set up the app');
    }

    const receiptId = `shopify:${deliveryId}`;
    // Already published: a repeat of the delivery (Twilio and Shopify retry), no second effect.
    if ((await this.receipts.find(receiptId))?.publishedAt) return { handled: true, duplicate: true };
    const receivedAt = new Date();
    await this.bus.publish(
      Events.shopifyWebhookReceived,
      {
        webhookId: deliveryId,
        topic,
        shop,
        receivedAt,
        customer: parsed.customer,
        dataRequestId: parsed.dataRequestId,
      },
      { msgId: `shopify:${deliveryId}` },
    );
    // Recorded after JetStream's ack: a crash before this line is repaired by the sender's retry,
    // whose publish the stream's Nats-Msg-Id window (and the consumers) de-duplicate.
    const receipt: Receipt = {
      _id: receiptId,
      source: 'shopify',
      shop,
      party: parsed.customer?.phone ? partyHash(shop, parsed.customer.phone) : null,
      // Privacy requests are kept as proof they arrived, without the personal data they name.
      payload: {
        topic,
        body: topic.includes('redact') || topic === 'customers/data_request' ? {} : delivery.body,
      },
      receivedAt,
      publishedAt: new Date(),
    };
    await this.receipts.recordPublished(receipt);
    await this.erase.settle(receipt, started);
    return { handled: true, duplicate: false };
  }
}
