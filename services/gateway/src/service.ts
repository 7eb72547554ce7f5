// Composition of the gateway: clients → HTTP API. It owns no data.
import { connectivityState } from '@grpc/grpc-js';
import { connectBus } from '@sms-inbox/bus';
import { Streams } from '@sms-inbox/contracts';
import { createHttpApp, finishHttpApp, listen, listRoutes } from '@sms-inbox/http';
import { createLogger, type Running, stopAll } from '@sms-inbox/platform';
import { createClients } from './clients/grpc-clients.js';
import { TwilioMedia } from './clients/twilio-media.js';
import type { Config } from './config.js';
import { apiRouter } from './http/api.router.js';
import { eventsRouter } from './http/events.router.js';
import { openApiDocument } from './http/openapi.js';
import { cors, RateLimiter, securityHeaders } from './http/security.js';
import { sessionVerifier } from './http/session-token.js';

export interface GatewayService extends Running {
  port: number;
  /** Every route the app serves, as "METHOD /path". */
  routes: string[];
}

export async function startGateway(config: Readonly<Config>): Promise<GatewayService> {
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const bus = await connectBus({ url: config.NATS_URL, name: 'gateway', logger });
  await bus.ensureStreams([Streams.conversation]);
  const clients = createClients({
    subscriber: config.SUBSCRIBER_GRPC_ADDR,
    conversation: config.CONVERSATION_GRPC_ADDR,
  });
  const reachable =
    (client: { getChannel(): { getConnectivityState(connect: boolean): connectivityState } }) => () =>
      client.getChannel().getConnectivityState(true) !== connectivityState.TRANSIENT_FAILURE;

  const app = createHttpApp({
    logger,
    readiness: [
      { name: 'nats', check: () => bus.isReady() },
      { name: 'subscriber', check: reachable(clients.subscribers) },
      { name: 'conversation', check: reachable(clients.conversations) },
    ],
  });
  app.use(securityHeaders, cors(config.DASHBOARD_ORIGINS));
  const document = openApiDocument();
  app.get('/v1/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use(
    apiRouter({
      rateLimiter: new RateLimiter(config.RATE_LIMIT_PER_MINUTE),
      bodyLimitBytes: config.BODY_LIMIT_BYTES,
      sessions: sessionVerifier({
        apiKey: config.SHOPIFY_API_KEY,
        apiSecret: config.SHOPIFY_API_SECRET,
        clockSkewSeconds: config.TOKEN_CLOCK_SKEW_SECONDS,
      }),
      ...clients,
      media: new TwilioMedia(
        {
          accountSid: config.TWILIO_ACCOUNT_SID,
          authToken: config.TWILIO_AUTH_TOKEN,
          baseUrl: config.TWILIO_API_BASE_URL,
        },
        config.MEDIA_TIMEOUT_MS,
      ),
      timeoutMs: config.GRPC_TIMEOUT_MS,
    }),
  );
  const live = eventsRouter({
    bus,
    ...clients,
    timeoutMs: config.GRPC_TIMEOUT_MS,
    heartbeatMs: config.SSE_HEARTBEAT_MS,
    logger,
  });
  app.use(live.router);
  finishHttpApp(app, logger);
  const http = await listen(app, config.GATEWAY_PORT);

  return {
    port: http.port,
    routes: listRoutes(app),
    stop: () =>
      stopAll([
        () => live.closeAll(),
        () => http.close(),
        () => bus.close(),
        () => clients.subscribers.close(),
        () => clients.conversations.close(),
      ]),
  };
}
