// Benchmark 4, the scheduler: `count` replies scheduled for the same instant, then the time from
// that instant until every one has reached the Twilio simulator. The scheduled messages are
// written into the conversation database and their `conversation.reply_scheduled.v1` events
// published straight to JetStream (what the conversation service does for each "Schedule
// Sending"), since creating 10,000 through the API would measure the reply path instead; from
// there on everything is the real path: the scheduler stores a release document per reply,
// releases them in batches when due, and conversation and delivery send them.
import { randomBytes } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Events } from '@sms-inbox/contracts';
import type { MongoClient } from 'mongodb';
import {
  DashboardClient,
  eventually,
  phoneIn,
  type Stack,
  TwilioWebhookSender,
  zoneWithHour,
} from '../src/index.js';
import { machineShare, sampleMachine } from './operations.js';
import { summary } from './stats.js';

export interface SchedulerOptions {
  stack: Stack;
  mongo: MongoClient;
  count: number;
  /** How far ahead the common release instant is, so every job is stored before it. */
  leadSeconds: number;
  /** How long to wait for the last send after the instant. */
  timeoutSeconds: number;
  log: (line: string) => void;
}

export async function measureScheduler(options: SchedulerOptions) {
  const { stack, mongo, count, log } = options;
  const shop = 'scheduler-bench.myshopify.com';
  const number = '+14155550456';
  const dashboard = await DashboardClient.forShop(stack, shop, 'bench');
  // Subscribers in a zone where it is day now: a release in quiet hours would be moved to their end.
  const zone = zoneWithHour(10, 16);
  await dashboard.request('PUT', '/v1/shop', { phoneNumber: number, keywords: ['JOIN'], timezone: zone });
  const twilio = new TwilioWebhookSender(stack);
  const people = 100;
  const phoneOf = (i: number) => phoneIn(zone, 5_000 + i);
  for (let i = 0; i < people; i++) {
    for (const body of ['JOIN', 'hello']) await twilio.send({ from: phoneOf(i), to: number, body });
  }
  const conversations = await eventually(
    async () => {
      const all = await dashboard.all('/v1/conversations?limit=100');
      return all.length >= people ? all : undefined;
    },
    120_000,
    'the subscribers’ conversations',
  );

  const releaseAt = new Date(Date.now() + options.leadSeconds * 1000);
  const messages = mongo.db('sms_inbox_conversation').collection('messages');
  const items = Array.from({ length: count }, (_, i) => {
    const c = conversations[i % conversations.length];
    return { id: randomBytes(12).toString('hex'), conversationId: c.id, subscriberId: c.subscriber.id, i };
  });
  log(`[bench] scheduler: ${count} replies scheduled for ${releaseAt.toISOString()}...`);
  for (let start = 0; start < count; start += 2_000) {
    await messages.insertMany(
      items.slice(start, start + 2_000).map((m) => ({
        _id: m.id as never,
        shop,
        conversationId: m.conversationId,
        dedupeKey: `out:bench:${m.id}`,
        direction: 'outbound',
        text: `scheduled bench ${m.i}`,
        mediaUrls: [],
        discountCode: null,
        status: 'scheduled',
        createdAt: new Date(),
        recordedAt: new Date(),
        scheduledFor: releaseAt,
        sentAt: null,
        quietHoursOverride: false,
        sentBy: 'bench',
        providerSid: null,
        errorCode: null,
      })),
    );
  }
  const published = Date.now();
  const nc = await connect({ servers: stack.env.NATS_URL! });
  try {
    const js = jetstream(nc);
    for (let start = 0; start < count; start += 500) {
      await Promise.all(
        items.slice(start, start + 500).map((m) =>
          js.publish(
            Events.replyScheduled.subject,
            Events.replyScheduled.codec
              .encode({
                messageId: m.id,
                shop,
                conversationId: m.conversationId,
                subscriberId: m.subscriberId,
                releaseAt,
              })
              .finish(),
            { msgID: `bench-schedule:${m.id}` },
          ),
        ),
      );
    }
  } finally {
    await nc.close();
  }
  // Stored: the scheduler's release document of each reply (it stays after the release, marked
  // released). Polled every 5 s, so that counting competes little with what is measured.
  const releases = mongo.db('sms_inbox_scheduler').collection('releases');
  const storeDeadline = releaseAt.getTime() + options.timeoutSeconds * 1000;
  let stored: number | null = null;
  while (stored === null && Date.now() < storeDeadline) {
    if ((await releases.countDocuments({})) >= count) stored = Date.now();
    else await new Promise((r) => setTimeout(r, 5_000));
  }
  const storeSeconds = stored === null ? null : (stored - published) / 1000;
  log(`[bench] scheduler: ${count} jobs stored after ${storeSeconds ?? 'more than the timeout of'} s`);

  // The machine's CPU from the instant to the last send: what a release costs, all told.
  await new Promise((r) => setTimeout(r, Math.max(0, releaseAt.getTime() - Date.now())));
  const machineAtRelease = sampleMachine();
  const sent = () => stack.twilio!.messages.filter((m) => m.body.startsWith('scheduled bench '));
  const deadline = releaseAt.getTime() + options.timeoutSeconds * 1000;
  while (Date.now() < deadline && sent().length < count) await new Promise((r) => setTimeout(r, 1_000));
  const calls = sent();
  const machine = machineShare(machineAtRelease, sampleMachine(), Math.max(1, calls.length));
  const after = calls.map((m) => m.dateCreated.getTime() - releaseAt.getTime());
  const result = {
    count,
    stoppedAfterSeconds: calls.length < count ? options.timeoutSeconds : null,
    storedBeforeRelease: stored !== null && stored <= releaseAt.getTime(),
    storeSeconds: storeSeconds === null ? null : Math.round(storeSeconds * 10) / 10,
    sent: calls.length,
    allSentWithinSeconds: calls.length >= count ? Math.round(Math.max(...after) / 100) / 10 : null,
    sendsPerSecond:
      calls.length > 1
        ? Math.round((calls.length / (Math.max(...after) - Math.min(...after))) * 10_000) / 10
        : 0,
    afterReleaseMs: summary(after),
    machine,
  };
  log(`[bench] scheduler: ${JSON.stringify(result)}`);
  return result;
}
