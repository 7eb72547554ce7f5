// Scheduled replies, released in batches when the subscriber's quiet hours end. Each reply is a
// document of ReleaseRepository; one recurring Agenda job (every SCHEDULER_POLL_MS, run by one
// replica at a time) claims the due ones in batches of up to BATCH, asks the subscriber service
// about the whole batch in one call per shop (BatchGetSubscribers: are they still, or again, in
// quiet hours?), publishes the releases (keyed by the message id, so a batch released twice
// releases each reply once) and marks the batch released. Still in quiet hours → due again at
// the new end. The conversation service re-checks consent before it requests the send.
import type { Bus } from '@sms-inbox/bus';
import { type conversationV1, Events, type subscriberV1 } from '@sms-inbox/contracts';
import { call } from '@sms-inbox/grpc';
import type { Logger } from '@sms-inbox/platform';
import type { Agenda, Job } from 'agenda';
import { Counter } from 'prom-client';
import type { ClaimedBatch, ReleaseRecord, ReleaseRepository } from '../repositories/release.repository.js';

export const RELEASE_DUE_JOB = 'release-due-replies';
/** The job of each reply before batches; any still stored is turned into a release document. */
export const LEGACY_RELEASE_JOB = 'release-scheduled-reply';
/** Replies claimed at once (BatchGetSubscribers takes up to 500 ids). */
const BATCH = 500;
/** Releases published at once within a batch. */
const PUBLISHING = 64;
const RETRY_MS = 5_000;

const jobs = new Counter({
  name: 'sms_inbox_scheduler_jobs_total',
  help: 'Scheduled replies by outcome: scheduled, released, moved (quiet hours again), canceled, retry',
  labelNames: ['outcome'] as const,
});

interface LegacyReleaseData {
  messageId: string;
  shop: string;
  conversationId: string;
  subscriberId: string;
}

export class ReleaseScheduler {
  constructor(
    private readonly agenda: Agenda,
    private readonly releases: ReleaseRepository,
    private readonly subscribers: subscriberV1.SubscriberServiceClient,
    private readonly bus: Bus,
    private readonly logger: Logger,
  ) {}

  async start(options: { pollMs: number; lockLifetimeMs: number }): Promise<void> {
    // One run drains what is due, within half its lock's lifetime; the next run goes on.
    const budgetMs = options.lockLifetimeMs / 2;
    this.agenda.define(RELEASE_DUE_JOB, () => this.releaseDue(budgetMs, options.lockLifetimeMs), {
      concurrency: 1,
      lockLifetime: options.lockLifetimeMs,
    });
    this.agenda.define<LegacyReleaseData>(LEGACY_RELEASE_JOB, (job) => this.adopt(job), {
      removeOnComplete: true,
    });
    await this.agenda.every(options.pollMs, RELEASE_DUE_JOB, undefined, { skipImmediate: false });
  }

  /** Stores the reply once per message, whatever is redelivered. */
  async schedule(event: conversationV1.ReplyScheduled): Promise<void> {
    await this.releases.schedule({
      _id: event.messageId,
      shop: event.shop,
      conversationId: event.conversationId,
      subscriberId: event.subscriberId,
      dueAt: event.releaseAt ?? new Date(),
    });
    jobs.inc({ outcome: 'scheduled' });
  }

  async cancel(event: conversationV1.ReplyCanceled): Promise<void> {
    if (await this.releases.cancel(event.messageId, event.shop)) jobs.inc({ outcome: 'canceled' });
  }

  /** Claims and releases due batches until none is due or the time budget is spent. */
  async releaseDue(budgetMs: number, leaseMs: number): Promise<number> {
    const until = Date.now() + budgetMs;
    let released = 0;
    while (Date.now() < until) {
      const batch = await this.releases.claimDue(BATCH, leaseMs);
      if (batch.releases.length === 0) break;
      released += await this.releaseBatch(batch);
    }
    return released;
  }

  private async releaseBatch(batch: ClaimedBatch): Promise<number> {
    let quiet: Map<string, Date>;
    try {
      quiet = await this.quietUntil(batch.releases);
    } catch (err) {
      // The subscriber service did not answer: the whole batch is due again shortly.
      const retryAt = new Date(Date.now() + RETRY_MS);
      await Promise.all(batch.releases.map((r) => this.releases.moveTo(batch, r._id, retryAt)));
      jobs.inc({ outcome: 'retry' }, batch.releases.length);
      this.logger.warn({ err, replies: batch.releases.length }, 'releases failed; trying again shortly');
      return 0;
    }
    const toRelease: ReleaseRecord[] = [];
    for (const release of batch.releases) {
      const endsAt = quiet.get(release._id);
      if (endsAt && endsAt.getTime() > Date.now()) {
        // Found in quiet hours (overdue after downtime, or the shop widened its window): the
        // next window's end, not now.
        await this.releases.moveTo(batch, release._id, endsAt);
        jobs.inc({ outcome: 'moved' });
      } else {
        toRelease.push(release);
      }
    }
    const published: string[] = [];
    for (let i = 0; i < toRelease.length; i += PUBLISHING) {
      await Promise.all(
        toRelease.slice(i, i + PUBLISHING).map(async (release) => {
          try {
            await this.publish(release);
            published.push(release._id);
          } catch (err) {
            // Due again shortly: delayed, never lost.
            await this.releases.moveTo(batch, release._id, new Date(Date.now() + RETRY_MS)).catch(() => {});
            jobs.inc({ outcome: 'retry' });
            this.logger.warn({ err, messageId: release._id }, 'release failed; trying again shortly');
          }
        }),
      );
    }
    await this.releases.markReleased(batch, published);
    jobs.inc({ outcome: 'released' }, published.length);
    return published.length;
  }

  private publish(release: ReleaseRecord) {
    return this.bus.publish(
      Events.replyReleased,
      {
        messageId: release._id,
        shop: release.shop,
        conversationId: release.conversationId,
        releasedAt: new Date(),
      },
      { msgId: `release:${release._id}` },
    );
  }

  /**
   * When each reply's subscriber's quiet hours end, for those in quiet hours now. A subscriber the
   * service no longer has (erased) or who opted out is released: the conversation service then
   * cancels the reply.
   */
  private async quietUntil(releases: ReleaseRecord[]): Promise<Map<string, Date>> {
    const byShop = new Map<string, ReleaseRecord[]>();
    for (const r of releases) byShop.set(r.shop, [...(byShop.get(r.shop) ?? []), r]);
    const out = new Map<string, Date>();
    for (const [shop, list] of byShop) {
      const ids = [...new Set(list.map((r) => r.subscriberId))];
      const { subscribers } = await call(this.subscribers, this.subscribers.batchGetSubscribers, {
        shop,
        ids,
        consentOnly: false,
      });
      const endsAt = new Map<string, Date>();
      for (const s of subscribers) {
        if (s.status === 'active' && s.quietHours?.active && s.quietHours.endsAt)
          endsAt.set(s.id, s.quietHours.endsAt);
      }
      for (const r of list) {
        const end = endsAt.get(r.subscriberId);
        if (end) out.set(r._id, end);
      }
    }
    return out;
  }

  /** A reply scheduled before batches, as one Agenda job: now a release document, due then. */
  private async adopt(job: Job<LegacyReleaseData>): Promise<void> {
    const data = job.attrs.data;
    await this.releases.schedule({
      _id: data.messageId,
      shop: data.shop,
      conversationId: data.conversationId,
      subscriberId: data.subscriberId,
      dueAt: job.attrs.nextRunAt ?? new Date(),
    });
  }
}
