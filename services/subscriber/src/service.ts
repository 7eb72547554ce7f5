// Composition of the subscriber service: connections → repositories → use cases → transports.
import { connectBus } from '@sms-inbox/bus';
import { Events, Streams } from '@sms-inbox/contracts';
import { startGrpcServer } from '@sms-inbox/grpc';
import { createHttpApp, finishHttpApp, listen } from '@sms-inbox/http';
import { connectMongo, pingMongo } from '@sms-inbox/mongo';
import { createLogger, type Running, stopAll } from '@sms-inbox/platform';
import { lookUpPhone } from './adapters/phone-geo.adapter.js';
import type { Config } from './config.js';
import { subscriberGrpc } from './grpc/subscriber.grpc.js';
import { ConsentAuditRepository } from './repositories/consent-audit.repository.js';
import { CustomerProfileRepository } from './repositories/customer-profile.repository.js';
import { ShopRepository } from './repositories/shop.repository.js';
import { SubscriberRepository } from './repositories/subscriber.repository.js';
import { Consent } from './usecases/consent.js';
import { HandleInboundSms } from './usecases/handle-inbound-sms.usecase.js';
import { HandleShopifyWebhook } from './usecases/handle-shopify-webhook.usecase.js';
import { Privacy } from './usecases/privacy.js';

export interface SubscriberService extends Running {
  httpPort: number;
  grpcPort: number;
}

export async function startSubscriber(config: Readonly<Config>): Promise<SubscriberService> {
  const logger = createLogger('subscriber', config.LOG_LEVEL);
  const mongo = await connectMongo({ uri: config.MONGODB_URI, database: config.MONGODB_DATABASE, logger });
  const bus = await connectBus({
    url: config.NATS_URL,
    name: 'subscriber',
    logger,
    replicas: config.NATS_STREAM_REPLICAS,
    ackWaitMs: config.NATS_ACK_WAIT_MS,
  });
  await bus.ensureStreams([Streams.ingestion, Streams.subscriber]);

  const shops = new ShopRepository(mongo);
  const subscribers = new SubscriberRepository(mongo);
  const audit = new ConsentAuditRepository(mongo);
  await Promise.all([shops.init(), subscribers.init(), audit.init()]);

  const profiles = new CustomerProfileRepository(mongo);
  const consent = new Consent(subscribers, audit, bus, async (phone) => {
    const geo = await lookUpPhone(phone);
    return { phoneZones: geo.zones, phoneRegion: geo.region };
  });
  const privacy = new Privacy(mongo, shops, subscribers, profiles, audit, bus);
  await Promise.all([profiles.init(), privacy.init()]);
  const handleInbound = new HandleInboundSms(shops, subscribers, consent, bus, logger);
  const handleShopify = new HandleShopifyWebhook(shops, subscribers, profiles, consent, privacy, logger);

  const grpc = await startGrpcServer({
    port: config.GRPC_PORT,
    services: [subscriberGrpc({ shops, subscribers, audit, consent, privacy, logger })],
    logger,
  });
  const app = createHttpApp({
    logger,
    readiness: [
      { name: 'nats', check: () => bus.isReady() },
      { name: 'mongodb', check: () => pingMongo(mongo) },
    ],
  });
  finishHttpApp(app, logger);
  const http = await listen(app, config.HTTP_PORT);

  // Consumers start last, once everything they need is up. A sender's texts decide consent in
  // the order they arrived (JOIN before the question after it, STOP before the next text), and a
  // customer's webhooks likewise: one replica at a time takes each of these consumers.
  const consumers = [
    await bus.consume(
      {
        event: Events.smsReceived,
        durable: 'subscriber-sms-received',
        orderingKey: (m) => `${m.shop}|${m.from}`,
        pinned: true,
      },
      (sms) => handleInbound.execute(sms),
    ),
    await bus.consume(
      {
        event: Events.shopifyWebhookReceived,
        durable: 'subscriber-shopify-webhook',
        orderingKey: (e) => `${e.shop}|${e.customer?.id ?? ''}`,
        pinned: true,
      },
      (e) => handleShopify.execute(e),
    ),
  ];

  return {
    httpPort: http.port,
    grpcPort: grpc.port,
    stop: () =>
      stopAll([
        ...consumers.map((c) => () => c.drain()),
        () => grpc.stop(),
        () => http.close(),
        () => bus.close(),
        () => mongo.close(),
      ]),
  };
}
