// Composition of the subscriber service: repositories → use cases → transports (the service
// kit opens the connections, serves the operations endpoints and stops everything in order).
import { Events, Streams } from '@sms-inbox/contracts';
import { ErasureLog } from '@sms-inbox/mongo';
import { openService, type RunningService } from '@sms-inbox/service-kit';
import { lookUpPhone } from './adapters/phone-geo.adapter.js';
import type { Config } from './config.js';
import { subscriberGrpc } from './grpc/subscriber.grpc.js';
import { ConsentAuditRepository } from './repositories/consent-audit.repository.js';
import { CustomerProfileRepository } from './repositories/customer-profile.repository.js';
import { DataRequestRepository } from './repositories/data-request.repository.js';
import { HeldTextRepository } from './repositories/held-text.repository.js';
import { ShopRepository } from './repositories/shop.repository.js';
import { SubscriberRepository } from './repositories/subscriber.repository.js';
import { ChangeShopSettings } from './usecases/change-shop-settings.usecase.js';
import { Consent } from './usecases/consent.usecase.js';
import { HandleInboundSms } from './usecases/handle-inbound-sms.usecase.js';
import { HandleShopifyWebhook } from './usecases/handle-shopify-webhook.usecase.js';
import { Privacy } from './usecases/privacy.usecase.js';

export type SubscriberService = RunningService<{ httpPort: number; grpcPort: number }>;

export async function startSubscriber(config: Readonly<Config>): Promise<SubscriberService> {
  const kit = await openService('subscriber', config, [Streams.ingestion, Streams.subscriber]);
  const { logger, bus, mongo } = kit;

  const shops = new ShopRepository(mongo);
  const subscribers = new SubscriberRepository(mongo);
  const audit = new ConsentAuditRepository(mongo);
  await Promise.all([shops.init(), subscribers.init(), audit.init()]);

  const profiles = new CustomerProfileRepository(mongo);
  const consent = new Consent(subscribers, audit, bus, async (phone) => {
    const geo = await lookUpPhone(phone);
    return { phoneZones: geo.zones, phoneRegion: geo.region };
  });
  const dataRequests = new DataRequestRepository(mongo);
  const heldTexts = new HeldTextRepository(mongo, new ErasureLog(mongo));
  const privacy = new Privacy(dataRequests, shops, subscribers, profiles, audit, heldTexts, bus);
  await Promise.all([profiles.init(), dataRequests.init(), heldTexts.init()]);
  const changeShop = new ChangeShopSettings(shops, bus);
  const handleInbound = new HandleInboundSms(shops, subscribers, consent, heldTexts, bus, logger);
  const handleShopify = new HandleShopifyWebhook(
    shops,
    subscribers,
    profiles,
    consent,
    privacy,
    handleInbound,
    logger,
  );

  const grpc = await kit.serveGrpc(config.GRPC_PORT, [
    subscriberGrpc({ shops, changeShop, subscribers, audit, consent, privacy, logger }),
  ]);
  const http = await kit.serveHttp(config.HTTP_PORT);

  // Consumers start last, once everything they need is up. A sender's texts decide consent in
  // the order they arrived (JOIN before the question after it, STOP before the next text), and a
  // customer's webhooks likewise: one replica at a time takes each of these consumers.
  await kit.consume(
    {
      event: Events.smsReceived,
      durable: 'subscriber-sms-received',
      orderingKey: (m) => `${m.shop}|${m.from}`,
      pinned: true,
    },
    (sms) => handleInbound.execute(sms),
  );
  await kit.consume(
    {
      event: Events.shopifyWebhookReceived,
      durable: 'subscriber-shopify-webhook',
      orderingKey: (e) => `${e.shop}|${e.customer?.id ?? ''}`,
      pinned: true,
    },
    (e) => handleShopify.execute(e),
  );

  return kit.running({ httpPort: http.port, grpcPort: grpc.port });
}
