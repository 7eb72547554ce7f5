// Bus metrics on the process's default registry; labels are bounded (subjects, durable names).
import { Counter, Histogram } from 'prom-client';

export const busMetrics = {
  published: new Counter({
    name: 'sms_inbox_bus_published_total',
    help: 'Events published to JetStream',
    labelNames: ['subject', 'duplicate'] as const,
  }),
  processed: new Counter({
    name: 'sms_inbox_consumer_messages_total',
    help: 'Deliveries handled by a consumer, by outcome (ok, failed, dead_lettered)',
    labelNames: ['consumer', 'outcome'] as const,
  }),
  redelivered: new Counter({
    name: 'sms_inbox_consumer_redelivered_total',
    help: 'Deliveries that were redeliveries',
    labelNames: ['consumer'] as const,
  }),
  duration: new Histogram({
    name: 'sms_inbox_consumer_processing_seconds',
    help: 'Time to process one delivery',
    labelNames: ['consumer'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  }),
};
