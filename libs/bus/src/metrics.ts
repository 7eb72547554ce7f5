// Bus metrics on the process's default registry; labels are bounded (subjects, durable names).
import { Counter, Gauge, Histogram } from 'prom-client';

/** The durable consumers of this process, asked for their backlog when metrics are scraped. */
export const watchedConsumers = new Map<string, () => Promise<{ pending: number; ackPending: number }>>();

export const busMetrics = {
  published: new Counter({
    name: 'sms_inbox_bus_published_total',
    help: 'Events published to JetStream',
    labelNames: ['subject', 'duplicate'] as const,
  }),
  publishDuration: new Histogram({
    name: 'sms_inbox_bus_publish_seconds',
    help: "Time from publishing an event to JetStream's acknowledgement (stored), by subject",
    labelNames: ['subject'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  }),
  processed: new Counter({
    name: 'sms_inbox_consumer_messages_total',
    help: 'Deliveries handled by a consumer, by outcome (ok, failed, dead_lettered, superseded: acknowledged unhandled, a later report made it pointless)',
    labelNames: ['consumer', 'outcome'] as const,
  }),
  redelivered: new Counter({
    name: 'sms_inbox_consumer_redelivered_total',
    help: 'Deliveries that were redeliveries',
    labelNames: ['consumer'] as const,
  }),
  backlog: new Gauge({
    name: 'sms_inbox_consumer_pending_messages',
    help: 'Consumer lag: messages not yet delivered (pending) and delivered but not acked (ack_pending)',
    labelNames: ['consumer', 'state'] as const,
    async collect() {
      await Promise.all(
        [...watchedConsumers].map(async ([consumer, read]) => {
          try {
            const { pending, ackPending } = await read();
            this.set({ consumer, state: 'pending' }, pending);
            this.set({ consumer, state: 'ack_pending' }, ackPending);
          } catch {
            // The broker is away: the last values stay; readiness reports the outage.
          }
        }),
      );
    },
  }),
  duration: new Histogram({
    name: 'sms_inbox_consumer_processing_seconds',
    help: 'Time to process one delivery',
    labelNames: ['consumer'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  }),
};
