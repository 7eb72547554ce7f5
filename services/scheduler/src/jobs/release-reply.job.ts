// One Agenda job per scheduled reply, due at the end of the subscriber's quiet hours, found
// through the message's release key (`_id` = message id, see ReleaseKeyRepository). When it runs it
// asks the subscriber service for the quiet hours now: still (or again, after downtime) in quiet
// hours → the job moves to the new end; otherwise the release is published (keyed by the message
// id, so a job run twice releases once) and the conversation service re-checks consent before
// requesting the send. Agenda's lock gives a job to one replica at a time; a replica that dies
// mid-run leaves its lock to expire and another takes the job.

import type { Bus } from '@sms-inbox/bus';
import { type conversationV1, Events, type subscriberV1 } from '@sms-inbox/contracts';
import { call } from '@sms-inbox/grpc';
import { isAppError, type Logger } from '@sms-inbox/platform';
import type { Agenda, Job } from 'agenda';
import { Counter } from 'prom-client';
import type { ReleaseKeyRepository } from '../repositories/release-key.repository.js';

export const RELEASE_JOB = 'release-scheduled-reply';
const RETRY_MS = 5_000;

export interface ReleaseData {
  messageId: string;
  shop: string;
  conversationId: string;
  subscriberId: string;
}

const jobs = new Counter({
  name: 'sms_inbox_scheduler_jobs_total',
  help: 'Scheduled-reply jobs by outcome: scheduled, released, moved (quiet hours again), canceled, retry',
  labelNames: ['outcome'] as const,
});

export class ReleaseScheduler {
  constructor(
    private readonly agenda: Agenda,
    private readonly keys: ReleaseKeyRepository,
    private readonly subscribers: subscriberV1.SubscriberServiceClient,
    private readonly bus: Bus,
    private readonly logger: Logger,
  ) {}

  define(options: { concurrency: number; lockLimit: number; lockLifetimeMs: number }): void {
    this.agenda.define<ReleaseData>(RELEASE_JOB, (job) => this.run(job), {
      concurrency: options.concurrency,
      // Without a limit Agenda locks every due job before it runs the first: with thousands due at
      // once, the first release waits for all of them and early locks expire meanwhile.
      lockLimit: options.lockLimit,
      lockLifetime: options.lockLifetimeMs,
      removeOnComplete: true,
    });
  }

  /** Creates the job once per message, whatever is redelivered. */
  async schedule(event: conversationV1.ReplyScheduled): Promise<void> {
    if (!(await this.keys.claim(event.messageId))) {
      const key = await this.keys.find(event.messageId);
      if (key?.jobId) return;
      // Claimed by a creation that stopped before it stored the job (or is storing it now): the
      // job is looked for by its data (a scan, on this rare path only) before it is made.
      const { jobs: found } = await this.agenda.queryJobs({
        name: RELEASE_JOB,
        data: { messageId: event.messageId },
      });
      if (found[0]) {
        await this.keys.setJob(event.messageId, String(found[0]._id));
        return;
      }
    }
    const data: ReleaseData = {
      messageId: event.messageId,
      shop: event.shop,
      conversationId: event.conversationId,
      subscriberId: event.subscriberId,
    };
    const job = await this.agenda
      .create(RELEASE_JOB, data)
      .schedule(event.releaseAt ?? new Date())
      .save();
    await this.keys.setJob(event.messageId, String(job.attrs._id));
    jobs.inc({ outcome: 'scheduled' });
  }

  async cancel(event: conversationV1.ReplyCanceled): Promise<void> {
    const key = await this.keys.find(event.messageId);
    // By the job's id alone, which the database finds by `_id`; a key without a job (a creation
    // still under way) by the job's data.
    const removed = key?.jobId
      ? await this.agenda.cancel({ id: key.jobId })
      : await this.agenda.cancel({ name: RELEASE_JOB, data: { messageId: event.messageId } });
    if (removed > 0) jobs.inc({ outcome: 'canceled' });
  }

  private async run(job: Job<ReleaseData>): Promise<void> {
    // A one-time job that fails is never run again by Agenda: a failure moves it a little later
    // instead (Agenda saves nextRunAt when the run ends), so a release is delayed, never lost.
    try {
      await this.release(job);
    } catch (err) {
      job.schedule(new Date(Date.now() + RETRY_MS));
      jobs.inc({ outcome: 'retry' });
      this.logger.warn({ err, messageId: job.attrs.data.messageId }, 'release failed; trying again shortly');
    }
  }

  private async release(job: Job<ReleaseData>): Promise<void> {
    const data = job.attrs.data;
    const endsAt = await this.quietUntil(data);
    if (endsAt && endsAt.getTime() > Date.now()) {
      // Found in quiet hours (overdue after downtime, or the shop widened its window): the
      // next window's end, not now.
      job.schedule(endsAt);
      jobs.inc({ outcome: 'moved' });
      this.logger.info(
        { messageId: data.messageId, releaseAt: endsAt },
        'scheduled reply moved to the end of quiet hours',
      );
      return;
    }
    await this.bus.publish(
      Events.replyReleased,
      {
        messageId: data.messageId,
        shop: data.shop,
        conversationId: data.conversationId,
        releasedAt: new Date(),
      },
      { msgId: `release:${data.messageId}` },
    );
    jobs.inc({ outcome: 'released' });
  }

  /** When the subscriber's quiet hours end, if they are on now; null when off or unknown. */
  private async quietUntil(data: ReleaseData): Promise<Date | null> {
    try {
      const { subscriber } = await call(this.subscribers, this.subscribers.getSubscriber, {
        shop: data.shop,
        id: data.subscriberId,
      });
      if (subscriber?.status !== 'active' || !subscriber.quietHours?.active) return null;
      return subscriber.quietHours.endsAt ?? null;
    } catch (err) {
      // Gone (erased): released, and the conversation service cancels it.
      if (isAppError(err) && err.kind === 'not_found') return null;
      throw err;
    }
  }
}
