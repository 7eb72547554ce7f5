// Composition of the scheduler service: a release document per scheduled reply, released in
// batches by a recurring Agenda job (on its own database, through @agendajs/mongo-backend); the
// service consumes schedule and cancel requests and publishes releases when quiet hours end.
// Several replicas may run: Agenda's job lock, the batches' leases and the release's message-id
// key keep a release to one.
import { MongoBackend } from '@agendajs/mongo-backend';
import { Events, Streams, subscriberV1 } from '@sms-inbox/contracts';
import { openService, type RunningService } from '@sms-inbox/service-kit';
import { Agenda } from 'agenda';
import { Gauge } from 'prom-client';
import type { Config } from './config.js';
import { ReleaseScheduler } from './jobs/release-reply.job.js';
import { ReleaseRepository } from './repositories/release.repository.js';

export type SchedulerService = RunningService<{ httpPort: number }>;

export async function startScheduler(config: Readonly<Config>): Promise<SchedulerService> {
  const kit = await openService('scheduler', config, [Streams.conversation, Streams.scheduler]);
  const { logger, bus, mongo } = kit;
  const subscribers = kit.client(subscriberV1.SubscriberServiceClient, config.SUBSCRIBER_GRPC_ADDR);

  const agenda = new Agenda({
    // Agenda's lock query (due jobs by name, earliest first) is served by the index made below.
    backend: new MongoBackend({
      mongo: mongo.db!,
      collection: 'release_jobs',
      ensureIndex: false,
    }),
    name: `scheduler-${process.pid}`,
    processEvery: config.SCHEDULER_POLL_MS,
    defaultLockLifetime: config.SCHEDULER_LOCK_LIFETIME_MS,
  });
  await mongo
    .db!.collection('release_jobs')
    .createIndex(
      { name: 1, nextRunAt: 1, priority: -1, lockedAt: 1, disabled: 1 },
      { name: 'findAndLockNextJobIndex' },
    );
  agenda.on('error', (err) => logger.error({ err }, 'agenda error'));
  const releaseStore = new ReleaseRepository(mongo);
  await releaseStore.init();
  const releases = new ReleaseScheduler(agenda, releaseStore, subscribers, bus, logger);
  await agenda.start();
  await releases.start({
    pollMs: config.SCHEDULER_POLL_MS,
    lockLifetimeMs: config.SCHEDULER_LOCK_LIFETIME_MS,
  });

  new Gauge({
    name: 'sms_inbox_scheduler_jobs',
    help: 'Scheduled replies waiting, and those overdue (due more than a minute ago)',
    labelNames: ['state'] as const,
    async collect() {
      const { waiting, overdue } = await releaseStore.counts(60_000);
      this.set({ state: 'waiting' }, waiting);
      this.set({ state: 'overdue' }, overdue);
    },
  });

  const http = await kit.serveHttp(config.HTTP_PORT);
  // Finishes running releases once the consumers drained, then unlocks the rest for other replicas.
  kit.afterConsumers(() => agenda.drain(10_000).then(() => agenda.stop(false)));

  await kit.consume(
    { event: Events.replyScheduled, durable: 'scheduler-reply-scheduled', orderingKey: (e) => e.messageId },
    (e) => releases.schedule(e),
  );
  await kit.consume(
    { event: Events.replyCanceled, durable: 'scheduler-reply-canceled', orderingKey: (e) => e.messageId },
    (e) => releases.cancel(e),
  );

  return kit.running({ httpPort: http.port });
}
