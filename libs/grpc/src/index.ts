// gRPC server and client helpers: the standard health service, deadlines on every call, the
// one mapping between application errors and gRPC status codes, W3C trace context carried in
// metadata (a client span, then a server span under it), and per-method duration histograms.
// A server runs at most so many calls at once; the others wait their turn in order, and one whose
// caller gave up meanwhile (its deadline passed) is not run at all: under a burst the work in
// flight, and the memory it holds, stay bounded, and nothing is done for nobody.
import {
  type Client,
  credentials,
  type handleUnaryCall,
  Metadata,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type ServiceError,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AppError, ErrorKind, isAppError, type Logger } from '@sms-inbox/platform';
import { HealthImplementation, type ServingStatusMap } from 'grpc-health-check';
import { Gauge, Histogram } from 'prom-client';

const tracer = trace.getTracer('@sms-inbox/grpc');
const buckets = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const serverDuration = new Histogram({
  name: 'sms_inbox_grpc_server_duration_seconds',
  help: 'gRPC calls served, by method and status code',
  labelNames: ['method', 'code'] as const,
  buckets,
});
const waitingCalls = new Gauge({
  name: 'sms_inbox_grpc_server_waiting_calls',
  help: "gRPC calls received and waiting for one of the server's slots (GRPC_MAX_CONCURRENT_CALLS)",
});
const callWait = new Histogram({
  name: 'sms_inbox_grpc_server_wait_seconds',
  help: 'How long gRPC calls waited for a slot before they ran (or were dropped: their caller gave up), by outcome',
  labelNames: ['outcome'] as const,
  buckets,
});
const clientDuration = new Histogram({
  name: 'sms_inbox_grpc_client_duration_seconds',
  help: 'gRPC calls made, by method and status code',
  labelNames: ['method', 'code'] as const,
  buckets,
});

const metadataSetter = {
  set: (carrier: Metadata, key: string, value: string) => carrier.set(key, value),
};
const metadataGetter = {
  get: (carrier: Metadata, key: string) => {
    const value = carrier.get(key)[0];
    return typeof value === 'string' ? value : undefined;
  },
  keys: (carrier: Metadata) => Object.keys(carrier.getMap()),
};

/** "/pkg.Service/Method" → span name and the method label. */
const rpcName = (path: string) => path.replace(/^\//, '');
const rpcAttributes = (path: string) => {
  const [service, method] = rpcName(path).split('/');
  return { 'rpc.system': 'grpc', 'rpc.service': service ?? '', 'rpc.method': method ?? '' };
};

const kindToStatus: Record<ErrorKind, status> = {
  invalid: status.INVALID_ARGUMENT,
  unauthenticated: status.UNAUTHENTICATED,
  forbidden: status.PERMISSION_DENIED,
  not_found: status.NOT_FOUND,
  conflict: status.ALREADY_EXISTS,
  unprocessable: status.FAILED_PRECONDITION,
  unsupported_media_type: status.INVALID_ARGUMENT,
  payload_too_large: status.INVALID_ARGUMENT,
  too_many_requests: status.RESOURCE_EXHAUSTED,
  unavailable: status.UNAVAILABLE,
  timeout: status.DEADLINE_EXCEEDED,
  internal: status.INTERNAL,
};
const KINDS = new Set<string>(Object.values(ErrorKind));
const CODE_KEY = 'app-error-code';
const KIND_KEY = 'app-error-kind';
const DETAILS_KEY = 'app-error-details';

export interface GrpcServiceBinding {
  name: string;
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

export interface RunningGrpcServer {
  port: number;
  health: HealthImplementation;
  stop(): Promise<void>;
}

/** Calls this many at once by default; see `startGrpcServer`. */
export const DEFAULT_MAX_CONCURRENT_CALLS = 64;

/**
 * Binds the services and `grpc.health.v1.Health` on `port` (0 picks a free one). Handlers that
 * throw an AppError answer its status code, with the error's code in trailing metadata. At most
 * `maxConcurrentCalls` of the services' unary calls run at once; the others wait in the order
 * they came, and one whose caller is gone by its turn is dropped (the health check never waits).
 */
export async function startGrpcServer(options: {
  port: number;
  host?: string;
  services: GrpcServiceBinding[];
  logger: Logger;
  maxConcurrentCalls?: number;
}): Promise<RunningGrpcServer> {
  const server = new Server();
  const statusMap: ServingStatusMap = { '': 'SERVING' };
  for (const s of options.services) statusMap[s.name] = 'SERVING';
  const health = new HealthImplementation(statusMap);
  health.addToServer(server);
  const slots = new Slots(options.maxConcurrentCalls ?? DEFAULT_MAX_CONCURRENT_CALLS);
  for (const s of options.services) server.addService(s.definition, inTurn(s.implementation, slots));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${options.host ?? '0.0.0.0'}:${options.port}`,
      ServerCredentials.createInsecure(),
      (err, p) => (err ? reject(err) : resolve(p)),
    ),
  );
  return {
    port,
    health,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of options.services) health.setStatus(s.name, 'NOT_SERVING');
        const force = setTimeout(() => server.forceShutdown(), 10_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

/** A fixed number of slots, handed over in the order they were asked for. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`slots: a whole number ≥ 1, not ${size}`);
    this.free = size;
  }

  /** Resolves once a slot is this caller's; give it back with `release`. */
  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

/** The implementation with each unary handler run in a slot (streaming handlers as they are). */
function inTurn(implementation: UntypedServiceImplementation, slots: Slots): UntypedServiceImplementation {
  const wrapped: UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(implementation)) {
    // A unary (or client-streaming) handler takes the call and a callback.
    wrapped[name] =
      handler.length === 2 ? inSlot(handler as handleUnaryCall<unknown, unknown>, slots) : handler;
  }
  return wrapped;
}

function inSlot<Req, Res>(handler: handleUnaryCall<Req, Res>, slots: Slots): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const waited = callWait.startTimer();
    waitingCalls.inc();
    void slots.acquire().then(() => {
      waitingCalls.dec();
      if (call.cancelled || deadlineOf(call) <= Date.now()) {
        // The caller's deadline passed (or it went away) while the call waited: grpc-js has
        // answered it already, and running it would be work for nobody.
        waited({ outcome: 'dropped' });
        slots.release();
        return;
      }
      waited({ outcome: 'ran' });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        slots.release();
      };
      try {
        handler(call, (...answer: Parameters<typeof callback>) => {
          release();
          callback(...answer);
        });
      } catch {
        // `unary` never throws; a handler written otherwise must not take the slot with it.
        release();
        callback({ code: status.INTERNAL, details: 'internal error' });
      }
    });
  };
}

/** When the call's caller stops waiting (ms since the epoch; Infinity without a deadline). */
function deadlineOf(call: { getDeadline(): Date | number }): number {
  const deadline = call.getDeadline();
  return deadline instanceof Date ? deadline.getTime() : deadline;
}

/** Wraps an async function as a unary handler, mapping thrown errors to gRPC statuses. */
export function unary<Req, Res>(
  fn: (request: Req, metadata: Metadata) => Promise<Res>,
  logger: Logger,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const path = call.getPath();
    const parent = propagation.extract(ROOT_CONTEXT, call.metadata, metadataGetter);
    const span = tracer.startSpan(
      rpcName(path),
      { kind: SpanKind.SERVER, attributes: rpcAttributes(path) },
      parent,
    );
    const done = serverDuration.startTimer({ method: rpcName(path) });
    context
      .with(trace.setSpan(parent, span), () => fn(call.request, call.metadata))
      .then(
        (response) => {
          done({ code: 'OK' });
          span.end();
          callback(null, response);
        },
        (err: unknown) => {
          const serviceError = toServiceError(err, logger);
          const code = status[serviceError.code ?? status.INTERNAL] ?? 'UNKNOWN';
          done({ code });
          span.setAttribute('rpc.grpc.status_code', serviceError.code ?? status.INTERNAL);
          if (serviceError.code === status.INTERNAL || serviceError.code === status.UNAVAILABLE)
            span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
          callback(serviceError);
        },
      );
  };
}

function toServiceError(err: unknown, logger: Logger): Partial<ServiceError> {
  const metadata = new Metadata();
  if (isAppError(err)) {
    metadata.set(CODE_KEY, err.code);
    metadata.set(KIND_KEY, err.kind);
    if (err.details) metadata.set(DETAILS_KEY, JSON.stringify(err.details));
    return { code: kindToStatus[err.kind], details: err.message, metadata };
  }
  logger.error({ err }, 'unhandled error in gRPC handler');
  metadata.set(CODE_KEY, 'internal');
  return { code: status.INTERNAL, details: 'internal error', metadata };
}

/** Client-side: a gRPC failure as the AppError the server meant (or unavailable/timeout). */
export function fromServiceError(err: ServiceError): AppError {
  const code = err.metadata?.get(CODE_KEY)[0];
  const kind = err.metadata?.get(KIND_KEY)[0];
  const detailsRaw = err.metadata?.get(DETAILS_KEY)[0];
  const details =
    typeof detailsRaw === 'string' ? (JSON.parse(detailsRaw) as Record<string, unknown>) : undefined;
  if (typeof code === 'string' && code !== 'internal') {
    // Several kinds share a gRPC status: the kind travels beside the code.
    const appKind = typeof kind === 'string' && KINDS.has(kind) ? (kind as ErrorKind) : ErrorKind.internal;
    return new AppError(appKind, code, err.details, { cause: err, details });
  }
  if (err.code === status.DEADLINE_EXCEEDED) {
    return new AppError(ErrorKind.timeout, 'upstream_timeout', 'a backing service did not answer in time', {
      cause: err,
    });
  }
  if (err.code === status.UNAVAILABLE) {
    return new AppError(ErrorKind.unavailable, 'upstream_unavailable', 'a backing service is unavailable', {
      cause: err,
    });
  }
  return new AppError(ErrorKind.internal, 'upstream_error', 'a backing service failed', { cause: err });
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: { deadline: Date },
  callback: (error: ServiceError | null, response: Res) => void,
) => unknown;

/** Calls a unary method with a deadline; failures arrive as AppErrors. */
export function call<Req, Res>(
  client: Client,
  method: UnaryMethod<Req, Res>,
  request: Req,
  timeoutMs = 5_000,
): Promise<Res> {
  const path = (method as { path?: string }).path ?? `/unknown/${method.name}`;
  const span = tracer.startSpan(rpcName(path), { kind: SpanKind.CLIENT, attributes: rpcAttributes(path) });
  const metadata = new Metadata();
  propagation.inject(trace.setSpan(context.active(), span), metadata, metadataSetter);
  const done = clientDuration.startTimer({ method: rpcName(path) });
  return new Promise<Res>((resolve, reject) => {
    method.call(
      client,
      request,
      metadata,
      { deadline: new Date(Date.now() + timeoutMs) },
      (err, response) => {
        done({ code: err ? (status[err.code] ?? 'UNKNOWN') : 'OK' });
        if (err) {
          span.setAttribute('rpc.grpc.status_code', err.code);
          if (
            err.code === status.UNAVAILABLE ||
            err.code === status.DEADLINE_EXCEEDED ||
            err.code === status.INTERNAL
          )
            span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
        if (err) reject(fromServiceError(err));
        else resolve(response);
      },
    );
  });
}

export type ClientConstructor<C> = new (
  address: string,
  creds: ReturnType<typeof credentials.createInsecure>,
  options?: object,
) => C;

export function createClient<C>(Ctor: ClientConstructor<C>, address: string): C {
  return new Ctor(address, credentials.createInsecure(), {
    'grpc.keepalive_time_ms': 30_000,
    'grpc.enable_retries': 1,
  });
}

export { type SubscriberRead, SubscriberReads } from './subscriber-reads.js';
