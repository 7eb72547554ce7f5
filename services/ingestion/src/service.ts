// Composition of the ingestion service: repositories → use cases → transports (the service kit
// opens the connections, serves the operations endpoints and stops everything in order).
import { Events, Streams, subscriberV1 } from '@sms-inbox/contracts';
import { ErasureLog } from '@sms-inbox/mongo';
import { openService, type RunningService } from '@sms-inbox/service-kit';
import { createTwilioClient } from '@sms-inbox/twilio';
import { GrpcShopDirectory } from './adapters/shop-directory.adapter.js';
import type { Config } from './config.js';
import { webhooksRouter } from './http/webhooks.router.js';
import { ReconcileInbound } from './jobs/reconcile-inbound.job.js';
import { ReceiptRepository } from './repositories/receipt.repository.js';
import { EraseReceipts } from './usecases/erase.usecase.js';
import { ReceiveDeliveryStatus } from './usecases/receive-delivery-status.usecase.js';
import { ReceiveInboundSms } from './usecases/receive-inbound-sms.usecase.js';
import { ReceiveShopifyWebhook } from './usecases/receive-shopify-webhook.usecase.js';

export type IngestionService = RunningService<{ port: number }>;

export async function startIngestion(config: Readonly<Config>): Promise<IngestionService> {
  const kit = await openService('ingestion', config, [Streams.ingestion, Streams.subscriber]);
  const { logger, bus, mongo } = kit;

  const receipts = new ReceiptRepository(mongo);
  await receipts.init();
  const subscriberClient = kit.client(subscriberV1.SubscriberServiceClient, config.SUBSCRIBER_GRPC_ADDR);
  const shopDirectory = new GrpcShopDirectory(subscriberClient);
  const erase = new EraseReceipts(receipts, new ErasureLog(mongo));
  const receiveInboundSms = new ReceiveInboundSms(receipts, shopDirectory, bus, erase);
  const receiveShopifyWebhook = new ReceiveShopifyWebhook(receipts, shopDirectory, bus, erase);
  const receiveDeliveryStatus = new ReceiveDeliveryStatus(bus);

  const http = await kit.serveHttp(config.INGESTION_PORT, {
    routes: (app) =>
      app.use(
        webhooksRouter({
          authToken: config.TWILIO_AUTH_TOKEN,
          publicBaseUrl: config.PUBLIC_BASE_URL,
          receiveInboundSms,
          shopifySecret: config.SHOPIFY_API_SECRET,
          receiveShopifyWebhook,
          receiveDeliveryStatus,
        }),
      ),
  });

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
  kit.onStop(() => reconcile.stop());

  await kit.consume({ event: Events.subscriberRedacted, durable: 'ingestion-subscriber-redacted' }, (e) =>
    erase.customer(e),
  );
  await kit.consume({ event: Events.shopRedacted, durable: 'ingestion-shop-redacted' }, (e) => erase.shop(e));

  return kit.running({ port: http.port });
}
