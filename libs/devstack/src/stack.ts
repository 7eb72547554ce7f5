// The whole system on one machine: NATS, FerretDB and all six services (and the inbox page), wired by environment
// variables exactly as a deployment wires them. `npm start` and the end-to-end tests use it.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type FerretDb,
  freePort,
  type ManagedProcess,
  type NatsServer,
  SERVICE_NAMES,
  type ServiceName,
  spawnService,
  startFerretDb,
  startNats,
} from './processes.js';
import { startTwilioSimulator, type TwilioSimulator } from './twilio-simulator.js';

/** The demo values of the README's configuration variables; anything set in the environment wins. */
export const DEMO_ENV = {
  SHOPIFY_API_KEY: 'demo-api-key',
  SHOPIFY_API_SECRET: 'demo-api-secret',
  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
  TWILIO_AUTH_TOKEN: 'demo-twilio-auth-token',
} as const;

export interface StackOptions {
  /** Where logs (and, when `persistent`, data) go. */
  dir: string;
  persistent?: boolean;
  /** Environment given by the user: the README's configuration variables override the defaults. */
  env?: NodeJS.ProcessEnv;
  /** Fixed ports (the local stack) or free ones (tests). */
  fixedPorts?: boolean;
  logLevel?: string;
  /**
   * Processes of every service, sharing its ports (Node's cluster module, see the platform's
   * replicas.ts); default REPLICAS from `env`, else 1.
   */
  replicas?: number;
  /** Run the services compiled (`dist/`, built first with `buildServices()`), as images do. */
  compiled?: boolean;
  /**
   * Also serve the inbox page (services/inbox-web, built first: `buildInboxWeb()` or
   * `buildServices()`), allowed by the gateway's CORS.
   */
  web?: boolean;
}

export interface Stack {
  env: Record<string, string>;
  gatewayUrl: string;
  ingestionUrl: string;
  /** The inbox page, when started with `web`. */
  webUrl?: string;
  nats?: NatsServer;
  ferret?: FerretDb;
  /** The Twilio simulator, unless TWILIO_API_BASE_URL was given. */
  twilio?: TwilioSimulator;
  services: Map<ServiceName, ManagedProcess>;
  /** Processes per service. */
  replicas: number;
  /**
   * SIGKILLs one replica of a service (the `index`-th by pid); its supervisor starts it again,
   * which this waits for. With one replica, the service's process, started again here.
   */
  killReplica(name: ServiceName, index?: number): Promise<void>;
  serviceEnv(name: ServiceName): NodeJS.ProcessEnv;
  opsPort(name: ServiceName): number;
  startService(name: ServiceName): Promise<ManagedProcess>;
  waitReady(name: ServiceName, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const FIXED_PORTS = {
  gateway: { http: 8080 },
  ingestion: { http: 8081 },
  subscriber: { http: 8082, grpc: 50051 },
  conversation: { http: 8083, grpc: 50052 },
  delivery: { http: 8084, grpc: 50053 },
  scheduler: { http: 8085, grpc: 50054 },
  'inbox-web': { http: 8090 },
} as const;

export async function startStack(options: StackOptions): Promise<Stack> {
  const userEnv = options.env ?? {};
  const replicas = options.replicas ?? (Number(userEnv.REPLICAS) || 1);
  const pick = (key: string, fallback: () => Promise<string> | string) =>
    userEnv[key] !== undefined && userEnv[key] !== '' ? userEnv[key]! : fallback();
  const logs = join(options.dir, 'logs');
  mkdirSync(logs, { recursive: true });

  let nats: NatsServer | undefined;
  let twilio: TwilioSimulator | undefined;
  let ferret: FerretDb | undefined;
  const natsUrl = await pick('NATS_URL', async () => {
    nats = await startNats({
      port: options.fixedPorts ? 4223 : undefined,
      storeDir: options.persistent ? join(options.dir, 'nats') : undefined,
      logFile: join(logs, 'nats-server.log'),
    });
    return nats.url;
  });
  const mongoUri = await pick('MONGODB_URI', async () => {
    ferret = await startFerretDb({
      port: options.fixedPorts ? 27017 : undefined,
      dataDir: options.persistent ? join(options.dir, 'ferretdb') : undefined,
      logFile: join(logs, 'ferretdb.log'),
    });
    return ferret.uri;
  });

  const ports = {} as Record<ServiceName, { http: number; grpc: number }>;
  for (const name of SERVICE_NAMES) {
    const fixed = FIXED_PORTS[name] as { http: number; grpc?: number };
    ports[name] = options.fixedPorts
      ? { http: fixed.http, grpc: fixed.grpc ?? 0 }
      : { http: await freePort(), grpc: await freePort() };
  }
  ports.gateway.http = Number(await pick('GATEWAY_PORT', () => String(ports.gateway.http)));
  ports.ingestion.http = Number(await pick('INGESTION_PORT', () => String(ports.ingestion.http)));
  ports['inbox-web'].http = Number(await pick('INBOX_WEB_PORT', () => String(ports['inbox-web'].http)));
  const webUrl = options.web ? `http://127.0.0.1:${ports['inbox-web'].http}` : undefined;
  const webOrigins = webUrl ? [webUrl, `http://localhost:${ports['inbox-web'].http}`] : [];

  const env: Record<string, string> = {
    SHOPIFY_API_KEY: await pick('SHOPIFY_API_KEY', () => DEMO_ENV.SHOPIFY_API_KEY),
    SHOPIFY_API_SECRET: await pick('SHOPIFY_API_SECRET', () => DEMO_ENV.SHOPIFY_API_SECRET),
    TWILIO_ACCOUNT_SID: await pick('TWILIO_ACCOUNT_SID', () => DEMO_ENV.TWILIO_ACCOUNT_SID),
    TWILIO_AUTH_TOKEN: await pick('TWILIO_AUTH_TOKEN', () => DEMO_ENV.TWILIO_AUTH_TOKEN),
    TWILIO_API_BASE_URL: await pick('TWILIO_API_BASE_URL', async () => {
      twilio = await startTwilioSimulator({
        accountSid: userEnv.TWILIO_ACCOUNT_SID || DEMO_ENV.TWILIO_ACCOUNT_SID,
        authToken: userEnv.TWILIO_AUTH_TOKEN || DEMO_ENV.TWILIO_AUTH_TOKEN,
        port: options.fixedPorts ? 8089 : undefined,
        callbacks: true,
      });
      return twilio.url;
    }),
    PUBLIC_BASE_URL: await pick('PUBLIC_BASE_URL', () => `http://127.0.0.1:${ports.ingestion.http}`),
    NATS_URL: natsUrl,
    MONGODB_URI: mongoUri,
    GATEWAY_PORT: String(ports.gateway.http),
    INGESTION_PORT: String(ports.ingestion.http),
    SUBSCRIBER_GRPC_ADDR: `127.0.0.1:${ports.subscriber.grpc}`,
    CONVERSATION_GRPC_ADDR: `127.0.0.1:${ports.conversation.grpc}`,
    LOG_LEVEL: options.logLevel ?? userEnv.LOG_LEVEL ?? 'info',
    REPLICAS: String(replicas),
  };
  // Optional knobs, passed through when set.
  for (const key of [
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'NATS_ACK_WAIT_MS',
    'DASHBOARD_ORIGINS',
    'RATE_LIMIT_PER_MINUTE',
    'BODY_LIMIT_BYTES',
    'SSE_HEARTBEAT_MS',
    'GRPC_TIMEOUT_MS',
    'TWILIO_TIMEOUT_MS',
    'SEND_RATE_PER_NUMBER',
    'SEND_MAX_ATTEMPTS',
    'SEND_RETRY_BASE_MS',
    'SEND_RETRY_CAP_MS',
    'INBOUND_RECONCILE_INTERVAL_MS',
    'INBOUND_RECONCILE_LOOKBACK_MS',
    'SCHEDULER_POLL_MS',
    'OTEL_BSP_SCHEDULE_DELAY',
    'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    'SCHEDULER_LOCK_LIFETIME_MS',
    'STATUS_RECONCILE_AFTER_MS',
    'STATUS_RECONCILE_CAP_MS',
    'STATUS_RECONCILE_MAX_AGE_MS',
    'STATUS_RECONCILE_INTERVAL_MS',
    'STATUS_RECONCILE_BATCH',
    'STATUS_RECONCILE_RATE',
    'OUTBOX_SWEEP_MS',
    'STATUS_DEFER_BUSY_SENDS',
    'STATUS_DEFER_MAX_MS',
  ]) {
    const value = userEnv[key];
    if (value) env[key] = value;
  }
  // The inbox page calls the gateway from its own origin.
  if (webOrigins.length) {
    env.DASHBOARD_ORIGINS = [...(env.DASHBOARD_ORIGINS ?? '').split(','), ...webOrigins]
      .filter(Boolean)
      .join(',');
  }

  // Sends are paced per number (1/s by default, as a Twilio long code); the local stack and tests
  // pace at 100/s so bursts finish quickly, unless told otherwise.
  env.SEND_RATE_PER_NUMBER ??= '100';

  // The simulated customer's texts reach ingestion as Twilio would send them.
  twilio?.setInboundWebhook({
    signedUrl: `${env.PUBLIC_BASE_URL!.replace(/\/$/, '')}/webhooks/twilio/messages`,
    postUrl: `http://127.0.0.1:${ports.ingestion.http}/webhooks/twilio/messages`,
  });

  const services = new Map<ServiceName, ManagedProcess>();
  const serviceEnv = (name: ServiceName): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...env,
    HTTP_PORT: String(ports[name].http),
    GRPC_PORT: String(ports[name].grpc),
    OTEL_SERVICE_NAME: `sms-inbox-${name}`,
    ...(name === 'inbox-web'
      ? {
          INBOX_WEB_PORT: String(ports[name].http),
          GATEWAY_PUBLIC_URL: `http://127.0.0.1:${ports.gateway.http}`,
        }
      : {}),
  });
  const opsPort = (name: ServiceName) => ports[name].http;

  const waitReady = async (name: ServiceName, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    const url = `http://127.0.0.1:${opsPort(name)}/readyz`;
    while (Date.now() < deadline) {
      const proc = services.get(name);
      if (proc && !proc.running)
        throw new Error(`${name} exited while starting; see ${join(logs, `${name}.log`)}`);
      try {
        const res = await fetch(url);
        // With replicas, every one of them forked (those not yet listening take no requests).
        if (res.ok && (replicas === 1 || proc?.replicaPids().length === replicas)) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${name} not ready after ${timeoutMs} ms; see ${join(logs, `${name}.log`)}`);
  };

  const startService = async (name: ServiceName) => {
    const proc = spawnService(name, serviceEnv(name), join(logs, `${name}.log`), {
      compiled: options.compiled,
    });
    services.set(name, proc);
    await waitReady(name);
    return proc;
  };

  const killReplica = async (name: ServiceName, index = 0) => {
    const proc = services.get(name)!;
    if (replicas === 1) {
      await proc.kill();
      await startService(name);
      return;
    }
    const pids = proc.replicaPids();
    const victim = pids[index % pids.length]!;
    process.kill(victim, 'SIGKILL');
    // Replaced once the supervisor has logged the new replica's start (it then takes work).
    const deadline = Date.now() + 60_000;
    const log = join(logs, `${name}.log`);
    for (;;) {
      const now = proc.replicaPids();
      const fresh = now.filter((pid) => !pids.includes(pid));
      const started =
        fresh.length > 0 &&
        readFileSync(log, 'utf8').includes(`"pid":${fresh[0]},"msg":"replica started again"`);
      if (now.length === replicas && started) break;
      if (Date.now() > deadline)
        throw new Error(`${name}: replica ${victim} not replaced in 60 s; see ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const stack: Stack = {
    env,
    gatewayUrl: `http://127.0.0.1:${ports.gateway.http}`,
    ingestionUrl: `http://127.0.0.1:${ports.ingestion.http}`,
    webUrl,
    nats,
    ferret,
    twilio,
    services,
    replicas,
    killReplica,
    serviceEnv,
    opsPort,
    startService,
    waitReady,
    stop: async () => {
      await Promise.all([...services.values()].map((p) => p.stop()));
      await nats?.stop();
      await ferret?.stop();
      await twilio?.stop();
    },
  };

  try {
    // Owners of gRPC APIs first, so their clients find them.
    await Promise.all((['subscriber', 'conversation'] as const).map(startService));
    await Promise.all((['delivery', 'scheduler', 'ingestion', 'gateway'] as const).map(startService));
    if (options.web) await startService('inbox-web');
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return stack;
}
