// Composition of the delivery service. It will own the outbound ledger and be the only caller of
// Twilio (replies/delivery work); for now it runs its operations endpoints and connections.
import { connectBus } from '@sms-inbox/bus';
import { Streams } from '@sms-inbox/contracts';
import { createHttpApp, finishHttpApp, listen } from '@sms-inbox/http';
import { connectMongo, pingMongo } from '@sms-inbox/mongo';
import { createLogger, type Running, stopAll } from '@sms-inbox/platform';
import type { Config } from './config.js';

export interface DeliveryService extends Running {
  httpPort: number;
}

export async function startDelivery(config: Readonly<Config>): Promise<DeliveryService> {
  const logger = createLogger('delivery', config.LOG_LEVEL);
  const mongo = await connectMongo({ uri: config.MONGODB_URI, database: config.MONGODB_DATABASE });
  const bus = await connectBus({
    url: config.NATS_URL,
    name: 'delivery',
    logger,
    replicas: config.NATS_STREAM_REPLICAS,
    ackWaitMs: config.NATS_ACK_WAIT_MS,
  });
  await bus.ensureStreams([Streams.conversation]);
  const app = createHttpApp({
    logger,
    readiness: [
      { name: 'nats', check: () => bus.isReady() },
      { name: 'mongodb', check: () => pingMongo(mongo) },
    ],
  });
  finishHttpApp(app, logger);
  const http = await listen(app, config.HTTP_PORT);
  return {
    httpPort: http.port,
    stop: () => stopAll([() => http.close(), () => bus.close(), () => mongo.close()]),
  };
}
