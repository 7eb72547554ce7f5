// Composition of the delivery service: the only caller of Twilio. It consumes send requests
// (merchants' replies and automatic answers), keeps the outbound ledger, checks consent again
// right before each call, paces each sending number, reports delivery statuses back, and looks
// up at the provider the statuses whose callbacks never came.
import { Events, type ingestionV1, Streams, subscriberV1 } from '@sms-inbox/contracts';
import { call } from '@sms-inbox/grpc';
import { openService, type RunningService } from '@sms-inbox/service-kit';
import { grpcRecipients } from './adapters/recipients.adapter.js';
import { twilioProvider } from './adapters/twilio.adapter.js';
import type { Config } from './config.js';
import { statusSupersession } from './domain/delivery-status.js';
import { NumberPacer } from './domain/pacing.js';
import { startStatusUpkeep } from './jobs/status-upkeep.job.js';
import { LeaseRepository } from './repositories/lease.repository.js';
import { OutboundRepository } from './repositories/outbound.repository.js';
import { ApplyProviderStatus } from './usecases/apply-provider-status.usecase.js';
import { autoReplyRequest, replyRequest } from './usecases/outbound-requests.js';
import { ReconcileStatuses } from './usecases/reconcile-statuses.usecase.js';
import { ReportStatus } from './usecases/report-status.usecase.js';
import { SendOutbound } from './usecases/send-outbound.usecase.js';
import { SendsFirst } from './usecases/sends-first.js';

/** The streams it publishes to or consumes from. */
const STREAMS = [Streams.ingestion, Streams.subscriber, Streams.conversation, Streams.delivery];

export type DeliveryService = RunningService<{ httpPort: number }>;

export async function startDelivery(config: Readonly<Config>): Promise<DeliveryService> {
  const kit = await openService('delivery', config, STREAMS);
  const { logger, bus, mongo } = kit;

  const ledger = new OutboundRepository(mongo);
  await ledger.init();
  const subscribers = kit.client(subscriberV1.SubscriberServiceClient, config.SUBSCRIBER_GRPC_ADDR);
  const provider = twilioProvider({
    accountSid: config.TWILIO_ACCOUNT_SID,
    authToken: config.TWILIO_AUTH_TOKEN,
    baseUrl: config.TWILIO_API_BASE_URL,
    timeoutMs: config.TWILIO_TIMEOUT_MS,
  });
  const report = new ReportStatus(ledger, bus, logger);
  const senders = new Map<string, { number: string; expires: number }>();
  // Status reports give way to busy sends (usecases/sends-first.ts).
  const sendsFirst = new SendsFirst({
    busyAt: config.STATUS_DEFER_BUSY_SENDS,
    maxWaitMs: config.STATUS_DEFER_MAX_MS,
  });
  const send = new SendOutbound(
    ledger,
    provider,
    grpcRecipients(subscribers),
    new NumberPacer(config.SEND_RATE_PER_NUMBER),
    report,
    {
      // The shop's sending number, from its owner, remembered briefly.
      shopNumber: async (shop) => {
        const hit = senders.get(shop);
        if (hit && hit.expires > Date.now()) return hit.number;
        const { shop: settings } = await call(subscribers, subscribers.getShop, { shop });
        senders.set(shop, { number: settings!.phoneNumber, expires: Date.now() + 30_000 });
        return settings!.phoneNumber;
      },
      statusCallback: `${config.PUBLIC_BASE_URL.replace(/\/$/, '')}/webhooks/twilio/status`,
      maxAttempts: config.SEND_MAX_ATTEMPTS,
      retry: { baseMs: config.SEND_RETRY_BASE_MS, capMs: config.SEND_RETRY_CAP_MS },
      settleMs: 2 * config.TWILIO_TIMEOUT_MS,
      reconcileAfterMs: config.STATUS_RECONCILE_AFTER_MS,
    },
    logger,
    sendsFirst,
  );

  const http = await kit.serveHttp(config.HTTP_PORT);

  const applyProviderStatus = new ApplyProviderStatus(ledger, report, logger);
  // A send fails for good after SEND_MAX_ATTEMPTS provider attempts; the broker's own limit is
  // above that, so only a crash loop reaches the dead-letter stream.
  const sendSpec = {
    maxDeliver: config.SEND_MAX_ATTEMPTS + 5,
    backoffMs: [1_000, 5_000, 15_000, 30_000, 60_000],
    concurrency: config.SEND_CONCURRENCY,
  };
  await kit.consume<ingestionV1.DeliveryStatusReceived>(
    {
      event: Events.deliveryStatusReceived,
      durable: 'delivery-status-received',
      backoffMs: [500, 2_000, 5_000, 15_000],
      // One message's callbacks one after another; a step on the way (`sent`) waits briefly for
      // the final status that makes it pointless (domain/delivery-status.ts: statusSupersession).
      orderingKey: (e) => e.messageSid,
      ...(config.STATUS_SUPERSEDE_WAIT_MS
        ? { supersede: { waitMs: config.STATUS_SUPERSEDE_WAIT_MS, ...statusSupersession } }
        : {}),
    },
    async (e) => {
      await sendsFirst.turn();
      await applyProviderStatus.execute(e);
    },
  );
  await kit.consume(
    {
      ...sendSpec,
      event: Events.sendRequested,
      durable: 'delivery-send-requested',
      orderingKey: (r) => r.messageId,
    },
    (request, delivery) => send.execute(replyRequest(request), delivery),
  );
  await kit.consume(
    {
      ...sendSpec,
      event: Events.autoReplyRequested,
      durable: 'delivery-auto-reply-requested',
      orderingKey: (r) => r.requestId,
    },
    (request, delivery) => send.execute(autoReplyRequest(request), delivery),
  );
  await kit.consume({ event: Events.subscriberRedacted, durable: 'delivery-subscriber-redacted' }, (e) =>
    ledger.eraseSubscriber(e.shop, e.subscriberId),
  );
  await kit.consume({ event: Events.shopRedacted, durable: 'delivery-shop-redacted' }, (e) =>
    ledger.eraseShop(e.shop),
  );

  const reconcile = new ReconcileStatuses(
    ledger,
    provider,
    report,
    {
      batch: config.STATUS_RECONCILE_BATCH,
      ratePerSecond: config.STATUS_RECONCILE_RATE,
      afterMs: config.STATUS_RECONCILE_AFTER_MS,
      capMs: config.STATUS_RECONCILE_CAP_MS,
      maxAgeMs: config.STATUS_RECONCILE_MAX_AGE_MS,
    },
    logger,
  );
  const upkeep = startStatusUpkeep(
    new LeaseRepository(mongo),
    reconcile,
    report,
    {
      reconcileIntervalMs: config.STATUS_RECONCILE_INTERVAL_MS,
      passMs: (config.STATUS_RECONCILE_BATCH / config.STATUS_RECONCILE_RATE) * 1_000,
      outboxSweepMs: config.OUTBOX_SWEEP_MS,
    },
    logger,
  );
  kit.onStop(() => upkeep.stop());

  return kit.running({ httpPort: http.port });
}
