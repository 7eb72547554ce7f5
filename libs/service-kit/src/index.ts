// The service kit: what every service does the same way, so that a service's composition file
// holds only its own repositories, use cases, consumers and transports. It opens the connections
// (the logger, the service's own database, the bus with the streams it uses), keeps the gRPC
// clients, servers, consumers and jobs the service adds, serves the operations endpoints
// (`/healthz`, `/readyz` over the bus and the database and any extra check, `/metrics`) next to
// the service's own routes, and stops everything in one order:
//   1. stop taking work, all at once: the HTTP listener (it waits for requests in flight) and
//      each job or stream registered with `onStop` (live streams end, so the listener can close);
//   2. drain the bus consumers (in-flight messages finish and are acknowledged);
//   3. what must run after them (`afterConsumers`: Agenda finishing its releases);
//   4. the gRPC server (in-flight calls finish), then the bus, the gRPC clients, the database.
import type { Bus, ConsumerSpec, Handler, StreamSpec } from '@sms-inbox/bus';
import { connectBus } from '@sms-inbox/bus';
import {
  type ClientConstructor,
  createClient,
  type GrpcServiceBinding,
  startGrpcServer,
} from '@sms-inbox/grpc';
import { createHttpApp, type Express, finishHttpApp, listen, type ReadinessCheck } from '@sms-inbox/http';
import { type Connection, connectMongo, pingMongo } from '@sms-inbox/mongo';
import { createLogger, type Logger, type Running, stopAll } from '@sms-inbox/platform';

/** The configuration the kit reads (every service's config carries it, see the platform's env). */
export interface KitConfig {
  LOG_LEVEL: string;
  NATS_URL: string;
  NATS_STREAM_REPLICAS?: number;
  NATS_ACK_WAIT_MS?: number;
  CONSUMER_CONCURRENCY?: number;
  MONGODB_URI?: string;
  MONGODB_DATABASE?: string;
  GRPC_MAX_CONCURRENT_CALLS?: number;
}

/** A started service: what it tells its starter (its ports), and how it stops. */
export type RunningService<T extends object> = T & Running;

type Step = () => Promise<unknown> | unknown;

export interface ServiceKit<DB> {
  readonly logger: Logger;
  readonly bus: Bus;
  /** The service's own database (the gateway has none). */
  readonly mongo: DB;
  /** A client of another service's gRPC API, closed last. */
  client<C extends { close(): void }>(Ctor: ClientConstructor<C>, address: string): C;
  /** Serves gRPC services (and the standard health check) on `port`, stopped after the consumers. */
  serveGrpc(port: number, services: GrpcServiceBinding[]): Promise<{ port: number }>;
  /**
   * Serves the operations endpoints on `port`, with the service's own routes (`routes`) before
   * the not-found and error handlers; readiness covers the bus, the database and `readiness`.
   */
  serveHttp(
    port: number,
    options?: { routes?: (app: Express) => void; readiness?: ReadinessCheck[] },
  ): Promise<{ port: number; app: Express }>;
  /** Consumes an event; the consumer is drained on stop. Consumers start last, once all is up. */
  consume<T>(spec: ConsumerSpec<T>, handler: Handler<T>): Promise<void>;
  /** Work to stop when the service stops taking work (jobs, live streams). */
  onStop(step: Step): void;
  /** Work to stop after the consumers drained. */
  afterConsumers(step: Step): void;
  /** The running service, stopped in the kit's order. */
  running<T extends object>(fields: T): T & Running;
}

/**
 * Opens a service: its logger, its own database (unless `database: false`: the gateway) and the bus
 * with the `streams` it publishes to or consumes from (created when missing).
 */
export async function openService(
  name: string,
  config: Readonly<KitConfig>,
  streams: readonly StreamSpec[],
): Promise<ServiceKit<Connection>>;
export async function openService(
  name: string,
  config: Readonly<KitConfig>,
  streams: readonly StreamSpec[],
  options: { database: false },
): Promise<ServiceKit<undefined>>;
export async function openService(
  name: string,
  config: Readonly<KitConfig>,
  streams: readonly StreamSpec[],
  options: { database: boolean } = { database: true },
): Promise<ServiceKit<Connection | undefined>> {
  const logger = createLogger(name, config.LOG_LEVEL);
  const mongo = options.database
    ? await connectMongo({
        uri: required(config.MONGODB_URI, 'MONGODB_URI'),
        database: required(config.MONGODB_DATABASE, 'MONGODB_DATABASE'),
        logger,
      })
    : undefined;
  const bus = await connectBus({
    url: config.NATS_URL,
    name,
    logger,
    replicas: config.NATS_STREAM_REPLICAS,
    ackWaitMs: config.NATS_ACK_WAIT_MS,
    concurrency: config.CONSUMER_CONCURRENCY,
  });
  await bus.ensureStreams(streams);

  const intake: Step[] = [];
  const drains: Step[] = [];
  const after: Step[] = [];
  const servers: Step[] = [];
  const clients: Step[] = [];

  return {
    logger,
    bus,
    mongo,
    client(Ctor, address) {
      const client = createClient(Ctor, address);
      clients.push(() => client.close());
      return client;
    },
    async serveGrpc(port, services) {
      const grpc = await startGrpcServer({
        port,
        services,
        logger,
        maxConcurrentCalls: config.GRPC_MAX_CONCURRENT_CALLS,
      });
      servers.push(() => grpc.stop());
      return { port: grpc.port };
    },
    async serveHttp(port, httpOptions = {}) {
      const app = createHttpApp({
        logger,
        readiness: [
          { name: 'nats', check: () => bus.isReady() },
          ...(mongo ? [{ name: 'mongodb', check: () => pingMongo(mongo) }] : []),
          ...(httpOptions.readiness ?? []),
        ],
      });
      httpOptions.routes?.(app);
      finishHttpApp(app, logger);
      const http = await listen(app, port);
      intake.push(() => http.close());
      return { port: http.port, app };
    },
    async consume(spec, handler) {
      const consumer = await bus.consume(spec, handler);
      drains.push(() => consumer.drain());
    },
    onStop: (step) => intake.push(step),
    afterConsumers: (step) => after.push(step),
    running: (fields) => ({
      ...fields,
      stop: () =>
        stopAll([
          atOnce(intake),
          ...drains,
          ...after,
          ...servers,
          () => bus.close(),
          ...clients,
          ...(mongo ? [() => mongo.close()] : []),
        ]),
    }),
  };
}

/** Runs the steps at once; fails with every failure once all have ended. */
function atOnce(steps: Step[]): Step {
  return async () => {
    const results = await Promise.allSettled(steps.map((step) => Promise.resolve().then(step)));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    if (failures.length > 0) throw new AggregateError(failures, 'some work did not stop');
  };
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new Error(`${name} is required for a service with a database`);
  return value;
}
