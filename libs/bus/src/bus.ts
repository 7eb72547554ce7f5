// The JetStream bus: streams and durable consumers declared in code, publishes de-duplicated by
// Nats-Msg-Id, explicit acks, bounded redelivery with backoff, a dead-letter stream, W3C trace
// context in headers and protobuf payloads.
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  type PriorityPolicy,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import {
  connect,
  type MsgHdrs,
  type NatsConnection,
  nanos,
  headers as natsHeaders,
} from '@nats-io/transport-node';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Codec, EventType, StreamSpec } from '@sms-inbox/contracts';
import type { Logger } from '@sms-inbox/platform';
import { isPermanent, retryDelayOf } from './errors.js';
import { busMetrics, watchedConsumers } from './metrics.js';

export type { Codec, EventType, StreamSpec };

/** Messages a consumer handles at once when neither its spec nor the bus's options say. */
const DEFAULT_CONCURRENCY = 16;

export interface BusOptions {
  url: string;
  name: string;
  logger: Logger;
  /** Stream replicas: 1 on one machine, 3 in production. */
  replicas?: number;
  /** Default ack wait of this process's consumers. */
  ackWaitMs?: number;
  /** Window within which a repeated Nats-Msg-Id is dropped by the server. */
  duplicateWindowMs?: number;
  /** Messages a consumer of this process handles at once, unless its spec says otherwise. */
  concurrency?: number;
}

export interface ConsumerSpec<T> {
  event: EventType<T>;
  /** Durable name; one per (service, purpose). */
  durable: string;
  /** Deliveries before the message goes to the dead-letter stream. */
  maxDeliver?: number;
  ackWaitMs?: number;
  /** Redelivery delays after failures; the last one repeats. */
  backoffMs?: number[];
  /** Messages processed at once by this process. */
  concurrency?: number;
  /**
   * Messages with the same key are handled one after another in stream order (in this
   * process); different keys run concurrently. For rules that depend on order, such as one
   * sender's JOIN before their first question, or STOP before the next text.
   */
  orderingKey?: (message: T) => string;
  /**
   * One replica at a time takes this consumer's messages (a JetStream priority group with the
   * pinned_client policy), so the `orderingKey` order holds across replicas too. The others stand
   * by and take over once the pinned one stops pulling for its ack wait and 2 s more: by then its
   * unacknowledged messages are due again, and the server redelivers them before newer ones. A
   * replica that stops gracefully hands over at once.
   */
  pinned?: boolean;
  /**
   * Reports that a later one makes pointless (a provider's `sent` once its `delivered` came): a
   * message that `mayBeSuperseded` waits up to `waitMs` before it is handled, and is acknowledged
   * unhandled if a later message with the same ordering key that `supersedes` it arrives
   * meanwhile; that one then runs at once. Behind a backlog both are often already here, so the
   * work shrinks as the load grows. Waiting messages do not count against `concurrency`. Needs
   * `orderingKey`.
   */
  supersede?: {
    waitMs: number;
    mayBeSuperseded(message: T): boolean;
    supersedes(later: T, earlier: T): boolean;
  };
}

/** The priority group of a pinned consumer (one per consumer, so one name serves all). */
const PIN_GROUP = 'replicas';
/** Longest ack wait of a pinned consumer: a crashed replica's pin moves on within it and 2 s. */
const PINNED_MAX_ACK_WAIT_MS = 10_000;

export interface Delivery {
  subject: string;
  deliveryCount: number;
  streamSequence: number;
  headers: MsgHdrs | undefined;
  /** Tells the server the message is still being worked on (resets its ack wait). */
  working(): void;
}

export type Handler<T> = (message: T, delivery: Delivery) => Promise<void>;

export interface ConsumerHandle {
  /** Stop pulling, finish in-flight messages. */
  drain(): Promise<void>;
}

/** Live events read straight from a stream (no durable state), for fan-out such as SSE. */
export interface Tail<T> extends AsyncIterable<{ seq: number; message: T }> {
  stop(): Promise<void>;
}

export interface Bus {
  readonly connection: NatsConnection;
  /** Events after stream sequence `afterSeq`, or only new ones when it is absent. */
  tail<T>(event: EventType<T>, options?: { afterSeq?: number }): Promise<Tail<T>>;
  ensureStreams(streams: readonly StreamSpec[]): Promise<void>;
  publish<T>(
    event: EventType<T>,
    message: T,
    options: { msgId: string },
  ): Promise<{ duplicate: boolean; seq: number }>;
  consume<T>(spec: ConsumerSpec<T>, handler: Handler<T>): Promise<ConsumerHandle>;
  isReady(): boolean;
  /** Drain every consumer, then the connection. */
  close(): Promise<void>;
}

export const DEAD_LETTER_STREAM: StreamSpec = { name: 'DEAD_LETTER', subjects: ['dlq.>'] };

const headerSetter = {
  set(carrier: MsgHdrs, key: string, value: string) {
    carrier.set(key, value);
  },
};
const headerGetter = {
  get(carrier: MsgHdrs | undefined, key: string) {
    return carrier?.get(key) || undefined;
  },
  keys(carrier: MsgHdrs | undefined) {
    return carrier ? [...carrier.keys()] : [];
  },
};

export async function connectBus(options: BusOptions): Promise<Bus> {
  const nc = await connect({
    servers: options.url,
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    // No stack captured up front for each request (every JetStream publish is one): two Error
    // objects per publish otherwise, 1-2.5% of a busy service's CPU. Failures still say what
    // failed (a timeout, no responders); the stack then starts in the client's own code.
    noAsyncTraces: true,
  });
  const bus = new BusImpl(nc, await jetstreamManager(nc), jetstream(nc), options);
  void bus.watchStatus();
  return bus;
}

class BusImpl implements Bus {
  // biome-ignore lint/suspicious/noExplicitAny: loops of different event types live in one set
  private readonly consumers = new Set<ConsumerLoop<any>>();
  private connected = true;
  private readonly tracer = trace.getTracer('@sms-inbox/bus');

  constructor(
    readonly connection: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    private readonly options: BusOptions,
  ) {}

  async watchStatus(): Promise<void> {
    for await (const status of this.connection.status()) {
      if (status.type === 'disconnect') this.connected = false;
      if (status.type === 'reconnect') this.connected = true;
      if (status.type === 'disconnect' || status.type === 'reconnect') {
        this.options.logger.warn({ status: status.type }, 'nats connection status');
      }
    }
  }

  isReady(): boolean {
    return this.connected && !this.connection.isClosed() && !this.connection.isDraining();
  }

  async ensureStreams(streams: readonly StreamSpec[]): Promise<void> {
    for (const spec of [...streams, DEAD_LETTER_STREAM]) {
      const config = {
        name: spec.name,
        subjects: [...spec.subjects],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        num_replicas: this.options.replicas ?? 1,
        duplicate_window: nanos(this.options.duplicateWindowMs ?? 10 * 60_000),
        max_age: nanos(14 * 24 * 3_600_000),
      };
      try {
        await this.jsm.streams.info(spec.name);
        await this.jsm.streams.update(spec.name, config);
      } catch (err) {
        if (!isStreamNotFound(err)) throw err;
        try {
          await this.jsm.streams.add(config);
        } catch (addErr) {
          // Another replica created it between our info and add.
          if (!String(addErr).includes('already in use')) throw addErr;
        }
      }
    }
  }

  async tail<T>(event: EventType<T>, options: { afterSeq?: number } = {}): Promise<Tail<T>> {
    const consumer = await this.js.consumers.get(event.stream, {
      filter_subjects: event.subject,
      ...(options.afterSeq !== undefined
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: options.afterSeq + 1 }
        : { deliver_policy: DeliverPolicy.New }),
    });
    const messages = await consumer.consume();
    const codec = event.codec;
    return {
      async *[Symbol.asyncIterator]() {
        for await (const m of messages) {
          let message: T;
          try {
            message = codec.decode(m.data);
          } catch {
            continue;
          }
          yield { seq: m.seq, message };
        }
      },
      stop: async () => {
        await messages.close();
      },
    };
  }

  async publish<T>(event: EventType<T>, message: T, options: { msgId: string }) {
    return this.tracer.startActiveSpan(
      `publish ${event.subject}`,
      {
        kind: SpanKind.PRODUCER,
        // Message ids name the cause (a MessageSid, a message id), never a phone number.
        attributes: {
          'messaging.system': 'nats',
          'messaging.destination.name': event.subject,
          'messaging.message.id': options.msgId,
        },
      },
      async (span) => {
        try {
          const h = natsHeaders();
          propagation.inject(context.active(), h, headerSetter);
          const stored = busMetrics.publishDuration.startTimer({ subject: event.subject });
          const ack = await this.js.publish(event.subject, event.codec.encode(message).finish(), {
            msgID: options.msgId,
            headers: h,
          });
          stored();
          busMetrics.published.inc({ subject: event.subject, duplicate: String(ack.duplicate) });
          return { duplicate: ack.duplicate, seq: ack.seq };
        } catch (err) {
          span.recordException(err as Error);
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw err;
        } finally {
          span.end();
        }
      },
    );
  }

  async consume<T>(spec: ConsumerSpec<T>, handler: Handler<T>): Promise<ConsumerHandle> {
    const backoffMs = spec.backoffMs ?? [1_000, 5_000, 15_000, 30_000];
    const maxDeliver = spec.maxDeliver ?? backoffMs.length + 2;
    let ackWaitMs = spec.ackWaitMs ?? this.options.ackWaitMs ?? 30_000;
    if (spec.pinned) ackWaitMs = Math.min(ackWaitMs, PINNED_MAX_ACK_WAIT_MS);
    const config = {
      durable_name: spec.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: spec.event.subject,
      ack_wait: nanos(ackWaitMs),
      max_deliver: maxDeliver,
      max_ack_pending: 1_000,
      ...(spec.pinned
        ? {
            priority_groups: [PIN_GROUP],
            priority_policy: 'pinned_client' as PriorityPolicy,
            priority_timeout: nanos(ackWaitMs + 2_000),
          }
        : {}),
    };
    try {
      await this.jsm.consumers.info(spec.event.stream, spec.durable);
      await this.jsm.consumers.update(spec.event.stream, spec.durable, config);
    } catch (err) {
      if (!isConsumerNotFound(err)) throw err;
      await this.jsm.consumers.add(spec.event.stream, config);
    }
    const consumer = await this.js.consumers.get(spec.event.stream, spec.durable);
    watchedConsumers.set(spec.durable, async () => {
      const info = await this.jsm.consumers.info(spec.event.stream, spec.durable);
      return { pending: info.num_pending, ackPending: info.num_ack_pending };
    });
    const concurrency = spec.concurrency ?? this.options.concurrency ?? DEFAULT_CONCURRENCY;
    const loop = new ConsumerLoop(this, spec, handler, backoffMs, maxDeliver, ackWaitMs, concurrency);
    this.consumers.add(loop);
    await loop.start(consumer);
    return {
      drain: async () => {
        await this.drainLoop(loop);
      },
    };
  }

  /** Called by consumer loops: traces a delivery and reports its outcome. */
  async handle<T>(loop: ConsumerLoop<T>, msg: JsMsg, decoded?: T): Promise<void> {
    const { spec, handler } = loop;
    const parent = propagation.extract(context.active(), msg.headers, headerGetter);
    const started = performance.now();
    const labels = { consumer: spec.durable };
    await this.tracer.startActiveSpan(
      `process ${spec.event.subject}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'nats',
          'messaging.destination.name': msg.subject,
          'messaging.consumer.group.name': spec.durable,
          'messaging.message.id': msg.headers?.get('Nats-Msg-Id') ?? '',
          'messaging.message.delivery_count': msg.info.deliveryCount,
        },
      },
      parent,
      async (span) => {
        try {
          if (msg.info.deliveryCount > 1) busMetrics.redelivered.inc(labels);
          const message = decoded ?? decodeOrThrow(spec.event.codec, msg.data);
          await handler(message, {
            subject: msg.subject,
            deliveryCount: msg.info.deliveryCount,
            streamSequence: msg.seq,
            headers: msg.headers,
            working: () => msg.working(),
          });
          msg.ack();
          busMetrics.processed.inc({ ...labels, outcome: 'ok' });
        } catch (err) {
          span.recordException(err as Error);
          span.setStatus({ code: SpanStatusCode.ERROR });
          const exhausted = msg.info.deliveryCount >= loop.maxDeliver;
          if (isPermanent(err) || exhausted) {
            await this.deadLetter(spec, msg, err);
            msg.term(String(err).slice(0, 200));
            busMetrics.processed.inc({ ...labels, outcome: 'dead_lettered' });
          } else {
            const delay =
              retryDelayOf(err) ??
              loop.backoffMs[Math.min(msg.info.deliveryCount - 1, loop.backoffMs.length - 1)] ??
              1_000;
            msg.nak(delay);
            busMetrics.processed.inc({ ...labels, outcome: 'failed' });
            this.options.logger.warn(
              { err, consumer: spec.durable, deliveryCount: msg.info.deliveryCount, retryInMs: delay },
              'message processing failed; will retry',
            );
          }
        } finally {
          busMetrics.duration.observe(labels, (performance.now() - started) / 1000);
          span.end();
        }
      },
    );
  }

  private async deadLetter<T>(spec: ConsumerSpec<T>, msg: JsMsg, err: unknown): Promise<void> {
    const h = natsHeaders();
    h.set('Dlq-Original-Subject', msg.subject);
    h.set('Dlq-Consumer', spec.durable);
    h.set('Dlq-Stream-Sequence', String(msg.seq));
    h.set('Dlq-Error', String(err instanceof Error ? err.message : err).slice(0, 500));
    await this.js.publish(`dlq.${spec.durable}`, msg.data, {
      msgID: `dlq:${spec.event.stream}:${msg.seq}`,
      headers: h,
    });
    this.options.logger.error({ err, consumer: spec.durable, seq: msg.seq }, 'message dead-lettered');
  }

  /** Messages of a consumer delivered and not yet answered, by any replica. */
  async unansweredCount<T>(spec: ConsumerSpec<T>): Promise<number> {
    return (await this.jsm.consumers.info(spec.event.stream, spec.durable)).num_ack_pending;
  }

  warn<T>(spec: ConsumerSpec<T>, message: string): void {
    this.options.logger.warn({ consumer: spec.durable }, message);
  }

  /** Stops a loop; a pinned one then hands its pin over at once instead of after its timeout. */
  private async drainLoop<T>(loop: ConsumerLoop<T>): Promise<void> {
    const wasPinned = await loop.drain();
    this.consumers.delete(loop);
    if (!wasPinned || this.connection.isClosed()) return;
    await this.jsm.consumers
      .unpin(loop.spec.event.stream, loop.spec.durable, PIN_GROUP)
      .catch((err) =>
        this.options.logger.warn({ err, consumer: loop.spec.durable }, 'could not hand the pin over'),
      );
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => this.drainLoop(c)));
    this.consumers.clear();
    if (!this.connection.isClosed()) await this.connection.drain();
  }
}

type PulledConsumer = Awaited<ReturnType<JetStreamClient['consumers']['get']>>;

interface Pause<T> {
  message: T;
  superseded: boolean;
  /** Resolves when the wait ends: superseded, timed out or draining. */
  over: Promise<void>;
  end(): void;
}

class ConsumerLoop<T = unknown> {
  private messages: Awaited<ReturnType<PulledConsumer['consume']>> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  /** Messages received and not yet answered (running, or waiting behind their ordering key). */
  private readonly held = new Set<JsMsg>();
  private heartbeat: NodeJS.Timeout | undefined;
  private pinnedHere = false;
  /** The pin this process last received messages under (pinned consumers). */
  private pinId: string | undefined;
  /** While set, this process just gained the pin and waits for what another replica held. */
  private handover: Promise<void> | undefined;
  private readonly waiting: JsMsg[] = [];
  private closing = false;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly bus: BusImpl,
    readonly spec: ConsumerSpec<T>,
    readonly handler: Handler<T>,
    readonly backoffMs: number[],
    readonly maxDeliver: number,
    private readonly ackWaitMs: number,
    private readonly concurrency: number,
  ) {}

  async start(consumer: PulledConsumer): Promise<void> {
    this.messages = await consumer.consume({
      max_messages: this.concurrency,
      ...(this.spec.pinned ? { group: PIN_GROUP } : {}),
    });
    const messages = this.messages;
    if (this.spec.pinned) void this.watchPin(messages);
    // Held messages stay ours however long they wait or run: the server redelivers only what a
    // dead (or frozen) process held.
    this.heartbeat = setInterval(
      () => {
        for (const msg of this.held) msg.working();
      },
      Math.max(this.ackWaitMs / 3, 250),
    );
    this.heartbeat.unref();
    this.done = (async () => {
      for await (const msg of messages) {
        this.held.add(msg);
        const pin = this.spec.pinned ? msg.headers?.get('Nats-Pin-Id') : undefined;
        if (pin && pin !== this.pinId) {
          this.pinId = pin;
          this.handover ??= this.takeOver();
        }
        if (this.handover) {
          // Keep pulling meanwhile: the messages the other replica held come to us as redeliveries.
          this.waiting.push(msg);
          continue;
        }
        this.run(msg);
        while (this.inFlight.size - this.pausedCount >= this.concurrency) await Promise.race(this.inFlight);
      }
      await this.handover;
      await Promise.all(this.inFlight);
    })();
  }

  private run(msg: JsMsg): void {
    const work = this.schedule(msg).finally(() => {
      this.held.delete(msg);
      this.inFlight.delete(work);
    });
    this.inFlight.add(work);
  }

  /**
   * A replica that gains the pin may hold newer messages than the ones a dead replica left
   * unacknowledged. It waits until every message the server counts as delivered and unanswered
   * is one it holds (the others' come back once their ack wait ends), then runs them all in stream
   * order. It gives up waiting after three ack waits (a message the server dropped), logging it.
   */
  private async takeOver(): Promise<void> {
    const deadline = Date.now() + 3 * this.ackWaitMs;
    while (!this.closing && Date.now() < deadline) {
      const pending = await this.bus.unansweredCount(this.spec).catch(() => undefined);
      if (pending !== undefined && pending <= this.held.size) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    if (!this.closing && Date.now() >= deadline)
      this.bus.warn(this.spec, "took the pin over without all the previous holder's messages");
    this.handover = undefined;
    if (this.closing) return;
    // A message that came twice meanwhile runs once, answered through its latest delivery.
    const latest = new Map<number, JsMsg>();
    for (const msg of this.waiting.splice(0)) {
      const other = latest.get(msg.seq);
      if (other && other.info.deliveryCount > msg.info.deliveryCount) {
        this.held.delete(msg);
        continue;
      }
      if (other) this.held.delete(other);
      latest.set(msg.seq, msg);
    }
    for (const msg of [...latest.values()].sort((a, b) => a.seq - b.seq)) this.run(msg);
  }

  private readonly chains = new Map<string, Promise<void>>();
  /** Messages waiting to be superseded (`spec.supersede`), by ordering key. */
  private readonly pausing = new Map<string, Pause<T>[]>();
  private pausedCount = 0;

  /** Runs the message now, or after the previous message with the same ordering key. */
  private schedule(msg: JsMsg): Promise<void> {
    const keyOf = this.spec.orderingKey;
    if (!keyOf) return this.bus.handle(this, msg);
    let decoded: T;
    try {
      decoded = this.spec.event.codec.decode(msg.data);
    } catch {
      return this.bus.handle(this, msg);
    }
    const key = keyOf(decoded);
    const pause = this.pauseFor(key, decoded);
    const previous = this.chains.get(key) ?? Promise.resolve();
    const run = previous
      .then(() => pause?.over)
      .then(() => {
        if (!pause?.superseded) return this.bus.handle(this, msg, decoded);
        msg.ack();
        busMetrics.processed.inc({ consumer: this.spec.durable, outcome: 'superseded' });
      });
    this.chains.set(key, run);
    return run.finally(() => {
      if (this.chains.get(key) === run) this.chains.delete(key);
    });
  }

  /** Ends the waits this message supersedes; starts its own wait if it may be superseded. */
  private pauseFor(key: string, message: T): Pause<T> | undefined {
    const rule = this.spec.supersede;
    if (!rule) return undefined;
    const waiting = this.pausing.get(key) ?? [];
    for (const earlier of waiting) {
      if (rule.supersedes(message, earlier.message)) {
        earlier.superseded = true;
        earlier.end();
      }
    }
    if (this.closing || !rule.mayBeSuperseded(message)) return undefined;
    let end = () => {};
    const over = new Promise<void>((resolve) => {
      const timer = setTimeout(() => end(), rule.waitMs);
      end = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    const pause: Pause<T> = { message, superseded: false, over, end };
    this.pausedCount++;
    over.then(() => {
      this.pausedCount--;
      const left = (this.pausing.get(key) ?? []).filter((p) => p !== pause);
      if (left.length) this.pausing.set(key, left);
      else this.pausing.delete(key);
    });
    waiting.push(pause);
    this.pausing.set(key, waiting);
    return pause;
  }

  private async watchPin(messages: NonNullable<typeof this.messages>): Promise<void> {
    for await (const status of messages.status()) {
      if (status.type === 'consumer_pinned') this.pinnedHere = true;
      if (status.type === 'consumer_unpinned') this.pinnedHere = false;
    }
  }

  /** Stops pulling and finishes what it holds; tells whether this process held the pin. */
  async drain(): Promise<boolean> {
    if (!this.messages) return false;
    this.closing = true;
    // What waits to be superseded is handled now.
    for (const waiting of this.pausing.values()) for (const pause of waiting) pause.end();
    await this.messages.close();
    await this.done;
    clearInterval(this.heartbeat);
    return this.pinnedHere;
  }
}

function decodeOrThrow<T>(codec: Codec<T>, data: Uint8Array): T {
  try {
    return codec.decode(data);
  } catch (cause) {
    throw new UndecodableMessageError(cause);
  }
}

export class UndecodableMessageError extends Error {
  override readonly name = 'UndecodableMessageError';
  readonly permanent = true;
  constructor(cause: unknown) {
    super('message payload does not decode as its event type', { cause });
  }
}

/** JetStream's answer that a stream does not exist, by its API error code. */
function isStreamNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound;
}
/** JetStream's answer that a consumer does not exist, by its API error code. */
function isConsumerNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound;
}
