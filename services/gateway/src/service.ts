// Composition of the gateway: clients → HTTP API. It owns no data (the service kit opens the
// bus, serves the operations endpoints and stops everything in order).
import { connectivityState } from '@grpc/grpc-js';
import { conversationV1, Streams, subscriberV1 } from '@sms-inbox/contracts';
import { listRoutes } from '@sms-inbox/http';
import { openService, type RunningService } from '@sms-inbox/service-kit';
import { TwilioMedia } from './adapters/twilio-media.js';
import type { Config } from './config.js';
import { apiRouter } from './http/api.router.js';
import { liveStreams } from './http/live-streams.js';
import { gatewayRoutes } from './http/routes/index.js';
import { cors, RateLimiter, securityHeaders } from './http/security.js';
import { sessionVerifier } from './http/session-token.js';

export type GatewayService = RunningService<{ port: number; routes: string[] }>;

export async function startGateway(config: Readonly<Config>): Promise<GatewayService> {
  const kit = await openService('gateway', config, [Streams.conversation], { database: false });
  const { logger, bus } = kit;
  const clients = {
    subscribers: kit.client(subscriberV1.SubscriberServiceClient, config.SUBSCRIBER_GRPC_ADDR),
    conversations: kit.client(conversationV1.ConversationServiceClient, config.CONVERSATION_GRPC_ADDR),
  };
  const reachable =
    (client: { getChannel(): { getConnectivityState(connect: boolean): connectivityState } }) => () =>
      client.getChannel().getConnectivityState(true) !== connectivityState.TRANSIENT_FAILURE;

  const live = liveStreams({
    bus,
    ...clients,
    timeoutMs: config.GRPC_TIMEOUT_MS,
    heartbeatMs: config.SSE_HEARTBEAT_MS,
    logger,
  });
  kit.onStop(() => live.closeAll());
  const media = new TwilioMedia(
    {
      accountSid: config.TWILIO_ACCOUNT_SID,
      authToken: config.TWILIO_AUTH_TOKEN,
      baseUrl: config.TWILIO_API_BASE_URL,
    },
    config.MEDIA_TIMEOUT_MS,
  );
  const routes = gatewayRoutes({ ...clients, media, timeoutMs: config.GRPC_TIMEOUT_MS }, [live.route]);
  const http = await kit.serveHttp(config.GATEWAY_PORT, {
    readiness: [
      { name: 'subscriber', check: reachable(clients.subscribers) },
      { name: 'conversation', check: reachable(clients.conversations) },
    ],
    routes: (app) => {
      app.use(securityHeaders, cors(config.DASHBOARD_ORIGINS));
      app.use(
        apiRouter(routes, {
          rateLimiter: new RateLimiter(config.RATE_LIMIT_PER_MINUTE),
          bodyLimitBytes: config.BODY_LIMIT_BYTES,
          sessions: sessionVerifier({
            apiKey: config.SHOPIFY_API_KEY,
            apiSecret: config.SHOPIFY_API_SECRET,
            clockSkewSeconds: config.TOKEN_CLOCK_SKEW_SECONDS,
          }),
        }),
      );
    },
  });

  return kit.running({ port: http.port, routes: listRoutes(http.app) });
}
