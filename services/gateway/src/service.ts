// Composition of the gateway: clients → HTTP API. It owns no data.
import { connectivityState } from '@grpc/grpc-js';
import { createHttpApp, finishHttpApp, listen } from '@sms-inbox/http';
import { createLogger, type Running, stopAll } from '@sms-inbox/platform';
import { createClients } from './clients/grpc-clients.js';
import type { Config } from './config.js';
import { apiRouter } from './http/api.router.js';
import { sessionVerifier } from './http/session-token.js';

export interface GatewayService extends Running {
  port: number;
}

export async function startGateway(config: Readonly<Config>): Promise<GatewayService> {
  const logger = createLogger('gateway', config.LOG_LEVEL);
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
      { name: 'subscriber', check: reachable(clients.subscribers) },
      { name: 'conversation', check: reachable(clients.conversations) },
    ],
  });
  app.use(
    apiRouter({
      sessions: sessionVerifier({
        apiKey: config.SHOPIFY_API_KEY,
        apiSecret: config.SHOPIFY_API_SECRET,
        clockSkewSeconds: config.TOKEN_CLOCK_SKEW_SECONDS,
      }),
      ...clients,
      timeoutMs: config.GRPC_TIMEOUT_MS,
    }),
  );
  finishHttpApp(app, logger);
  const http = await listen(app, config.GATEWAY_PORT);

  return {
    port: http.port,
    stop: () =>
      stopAll([() => http.close(), () => clients.subscribers.close(), () => clients.conversations.close()]),
  };
}
