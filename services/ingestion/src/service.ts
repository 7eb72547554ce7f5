// Composition of the ingestion service: connections → repositories → use cases → transports.
import { connectBus } from '@sms-inbox/bus';
import { Events, Streams, subscriberV1 } from '@sms-inbox/contracts';
import { createClient } from '@sms-inbox/grpc';
import { createHttpApp, finishHttpApp, listen } from '@sms-inbox/http';
import { connectMongo, pingMongo } from '@sms-inbox/mongo';
import { createLogger, type Running, stopAll } from '@sms-inbox/platform';
import { createTwilioClient } from '@sms-inbox/twilio';
import type { Config } from './config.js';
import { webhooksRouter } from './http/webhooks.router.js';
import { ReconcileInbound } from './jobs/reconcile-inbound.job.js';
import { ReceiptRepository } from './repositories/receipt.repository.js';
import { EraseReceipts } from './usecases/erase.usecase.js';
import { ReceiveDeliveryStatus } from './usecases/receive-delivery-status.usecase.js';
import { ReceiveInboundSms } from './usecases/receive-inbound-sms.usecase.js';
import { ReceiveShopifyWebhook } from './usecases/receive-shopify-webhook.usecase.js';
import { GrpcShopDirectory } from './usecases/shop-directory.js';

export interface IngestionService extends Running {
  port: number;
}

export async function startIngestion(config: Readonly<Config>): Promise<IngestionService> {
  const logger = createLogger('ingestion', config.LOG_LEVEL);
  const mongo = await connectMongo({ uri: config.MONGODB_URI, database: config.MONGODB_DATABASE, logger });
  const bus = await connectBus({
    url: config.NATS_URL,
    name: 'ingestion',
    logger,
    replicas: config.NATS_STREAM_REPLICAS,
    ackWaitMs: config.NATS_ACK_WAIT_MS,
  });
  await bus.ensureStreams([Streams.ingestion, Streams.subscriber]);

  const receipts = new ReceiptRepository(mongo);
  await receipts.init();
  const subscriberClient = createClient(subscriberV1.SubscriberServiceClient, config.SUBSCRIBER_GRPC_ADDR);
  const shopDirectory = new GrpcShopDirectory(subscriberClient);
  const receiveInboundSms = new ReceiveInboundSms(receipts, shopDirectory, bus);
  const receiveShopifyWebhook = new ReceiveShopifyWebhook(receipts, shopDirectory, bus);
  const receiveDeliveryStatus = new ReceiveDeliveryStatus(receipts, bus);

  const app = createHttpApp({
    logger,
    readiness: [
      { name: 'nats', check: () => bus.isReady() },
      { name: 'mongodb', check: () => pingMongo(mongo) },
    ],
  });
  app.use(
    webhooksRouter({
      authToken: config.TWILIO_AUTH_TOKEN,
      publicBaseUrl: config.PUBLIC_BASE_URL,
      receiveInboundSms,
      shopifySecret: config.SHOPIFY_API_SECRET,
      receiveShopifyWebhook,
      receiveDeliveryStatus,
    }),
  );
  finishHttpApp(app, logger);
  const http = await listen(app, config.INGESTION_PORT);

  const reconcile = new ReconcileInbound(
    subscriberClient,
    createTwilioClient({
      accountSid: config.TWILIO_ACCOUNT_SID,
      authToken: config.TWILIO_AUTH_TOKEN,
      baseUrl: config.TWILIO_API_BASE_URL,
    }),
    receipts,
    receiveInboundSms,
    {
      intervalMs: config.INBOUND_RECONCILE_INTERVAL_MS,
      lookbackMs: config.INBOUND_RECONCILE_LOOKBACK_MS,
    },
    logger,
  );
  reconcile.start();

  const erase = new EraseReceipts(receipts);
  const consumers = [
    await bus.consume({ event: Events.subscriberRedacted, durable: 'ingestion-subscriber-redacted' }, (e) =>
      erase.customer(e),
    ),
    await bus.consume({ event: Events.shopRedacted, durable: 'ingestion-shop-redacted' }, (e) =>
      erase.shop(e),
    ),
  ];

  return {
    port: http.port,
    stop: () =>
      stopAll([
        () => http.close(),
        () => reconcile.stop(),
        ...consumers.map((c) => () => c.drain()),
        () => bus.close(),
        () => subscriberClient.close(),
        () => mongo.close(),
      ]),
  };
}
