// Benchmark 3, inbox reads: the list, the search and the red-dot summary through the gateway,
// measured request by request, first with one shop holding `conversations` conversations and
// `messages` messages, then with the same number spread over `shops` shops (read for one of
// them). The data is written straight into each service's own database with the bare driver,
// in the shape its repositories write, since sending a million texts through the stack would
// take hours here; the reads then go through the real gateway → conversation path (which asks
// the subscriber service for the shop's settings).
import { createHash, randomBytes } from 'node:crypto';
import type { MongoClient } from 'mongodb';
import { DashboardClient, type Stack } from '../src/index.js';
import { summary } from './stats.js';

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman'];
const BATCH = 2_000;

const idOf = (...parts: string[]) => createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 24);

export interface InboxOptions {
  stack: Stack;
  mongo: MongoClient;
  conversations: number;
  messages: number;
  shops: number;
  seconds: number;
  log: (line: string) => void;
}

/** Writes `count` conversations of `shop` (with subscribers and `perConversation` messages each). */
export async function seed(
  mongo: MongoClient,
  shop: string,
  from: number,
  count: number,
  perConversation: number,
  phoneBase: number,
) {
  const conversations = mongo.db('sms_inbox_conversation').collection('conversations');
  const messages = mongo.db('sms_inbox_conversation').collection('messages');
  const subscribers = mongo.db('sms_inbox_subscriber').collection('subscribers');
  const t0 = Date.now() - (from + count) * 60_000;
  for (let start = from; start < from + count; start += BATCH) {
    const convs: Record<string, unknown>[] = [];
    const subs: Record<string, unknown>[] = [];
    const msgs: Record<string, unknown>[] = [];
    for (let i = start; i < Math.min(from + count, start + BATCH); i++) {
      const phone = `+1${String(phoneBase + i).padStart(10, '0')}`;
      const subscriberId = idOf('sub', shop, phone);
      const conversationId = idOf('conv', shop, subscriberId);
      const firstName = FIRST[i % FIRST.length]!;
      const lastName = `${LAST[i % LAST.length]}${i}`;
      const at = new Date(t0 + i * 60_000);
      let last: Record<string, unknown> | null = null;
      for (let k = 0; k < perConversation; k++) {
        const createdAt = new Date(at.getTime() - (perConversation - k) * 1_000);
        last = {
          _id: idOf('msg', shop, conversationId, String(k)),
          shop,
          conversationId,
          dedupeKey: `in:SMbench${randomBytes(12).toString('hex')}`,
          direction: k % 2 === 0 ? 'inbound' : 'outbound',
          text: `message ${k} of conversation ${i}`,
          mediaUrls: [],
          discountCode: null,
          status: k % 2 === 0 ? 'received' : 'delivered',
          createdAt,
          recordedAt: createdAt,
          scheduledFor: null,
          sentAt: k % 2 === 0 ? null : createdAt,
          quietHoursOverride: false,
          providerSid: null,
          errorCode: null,
        };
        msgs.push(last);
      }
      subs.push({
        _id: subscriberId,
        shop,
        phone,
        firstName,
        lastName,
        source: 'keyword',
        customerId: null,
        customerUrl: null,
        status: 'active',
        timezone: null,
        region: null,
        phoneZones: ['America/New_York'],
        phoneRegion: 'US',
        consentAt: at,
        createdBy: 'bench',
        version: 1,
        createdAt: at,
        updatedAt: at,
      });
      convs.push({
        _id: conversationId,
        shop,
        subscriberId,
        status: i % 3 === 0 ? 'resolved' : 'unresolved',
        statusChangedAt: at,
        lastActivityAt: at,
        touchedAt: at,
        lastMessage: last,
        subscriber: {
          phone,
          phoneDigits: phone.slice(1),
          firstName,
          lastName,
          name: `${firstName} ${lastName}`.toLowerCase(),
          status: 'active',
          version: 1,
          source: 'keyword',
          customerUrl: null,
          addressTimezone: null,
          phoneZones: ['America/New_York'],
          region: null,
          phoneRegion: 'US',
        },
        revision: 1,
        createdAt: at,
      });
    }
    await Promise.all([
      subscribers.insertMany(subs as never[], { ordered: false }),
      conversations.insertMany(convs as never[], { ordered: false }),
      ...(msgs.length ? [messages.insertMany(msgs as never[], { ordered: false })] : []),
    ]);
  }
}

/**
 * After a bulk load PostgreSQL's autovacuum vacuums and analyses the new rows within a minute or
 * two, and the checkpointer and the kernel write the loaded pages out (gigabytes after a million
 * messages); reads measured meanwhile would measure that maintenance. The local store is settled
 * first (the same work, done now).
 */
export async function settleStore(stack: Stack, log: (line: string) => void): Promise<void> {
  if (!stack.ferret) return;
  const t0 = Date.now();
  await stack.ferret.postgres.settle();
  log(`[bench] store vacuumed, analysed and written out in ${Math.round((Date.now() - t0) / 1000)} s`);
}

/**
 * Latency of one GET: requests one after another for `seconds` (at least one), after a short
 * unmeasured warm-up. Sequential, not
 * autocannon's fixed-duration load: at these sizes one request can take longer than the run.
 */
async function measure(url: string, token: string, seconds: number) {
  // Unmeasured first: the services' code for this read is compiled by the first requests (and
  // the store's caches warm), as on any server that has been serving for a while.
  const warm = Date.now() + Math.min(2, seconds / 5) * 1000;
  while (Date.now() < warm) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
  }
  const samples: number[] = [];
  let failed = 0;
  const until = Date.now() + seconds * 1000;
  while (samples.length + failed < 1 || Date.now() < until) {
    const t = Date.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (res.ok) samples.push(Date.now() - t);
    else failed++;
  }
  const s = summary(samples);
  return { requests: samples.length, non2xx: failed, p50: s.p50, p99: s.p99 };
}

export async function measureInbox(options: InboxOptions) {
  const { stack, mongo, seconds, log } = options;
  const shop = 'inbox-bench.myshopify.com';
  const dashboard = await DashboardClient.forShop(stack, shop, 'bench');
  await dashboard.request('PUT', '/v1/shop', { phoneNumber: '+14155550123', keywords: ['JOIN'] });
  const perConversation = Math.max(1, Math.round(options.messages / options.conversations));
  const reads = async (label: string) => {
    const some = (await dashboard.get('/v1/conversations?limit=1')).body.items?.[0];
    const base = stack.gatewayUrl;
    const endpoints: Record<string, string> = {
      list: '/v1/conversations?limit=25',
      'list unresolved': '/v1/conversations?status=unresolved&limit=25',
      'search by name': '/v1/conversations?q=Grace%20Hopper1&limit=25',
      'search by phone': '/v1/conversations?q=555&limit=25',
      summary: '/v1/inbox/summary',
      ...(some ? { messages: `/v1/conversations/${some.id}/messages?limit=50` } : {}),
    };
    const rows: Record<string, unknown> = {};
    for (const [name, path] of Object.entries(endpoints)) {
      rows[name] = await measure(`${base}${path}`, dashboard.token, seconds);
      log(`[bench] inbox ${label} ${name}: ${JSON.stringify(rows[name])}`);
    }
    return rows;
  };

  let t = Date.now();
  log(`[bench] inbox: seeding ${options.conversations} conversations, ${perConversation} messages each...`);
  for (let from = 0; from < options.conversations; from += 10_000) {
    await seed(
      mongo,
      shop,
      from,
      Math.min(10_000, options.conversations - from),
      perConversation,
      2_000_000_000,
    );
    log(`[bench] inbox: ${from + 10_000} conversations after ${Math.round((Date.now() - t) / 1000)} s`);
  }
  const seedSeconds = Math.round((Date.now() - t) / 1000);
  await settleStore(stack, log);
  const oneShop = await reads('one shop');

  t = Date.now();
  const perShop = Math.max(1, Math.floor(options.conversations / options.shops));
  log(`[bench] inbox: seeding ${options.shops - 1} more shops of ${perShop} conversations...`);
  for (let s = 1; s < options.shops; s++) {
    await seed(mongo, `inbox-bench-${s}.myshopify.com`, 0, perShop, 1, 3_000_000_000 + s * 10_000);
  }
  const spreadSeedSeconds = Math.round((Date.now() - t) / 1000);
  await settleStore(stack, log);
  // The shop read now is a typical one: `perShop` conversations among everyone else's.
  const typical = await DashboardClient.forShop(stack, 'inbox-bench-1.myshopify.com', 'bench');
  const manyShopsRows: Record<string, unknown> = {};
  for (const [name, path] of Object.entries({
    list: '/v1/conversations?limit=25',
    summary: '/v1/inbox/summary',
  })) {
    manyShopsRows[name] = await measure(`${stack.gatewayUrl}${path}`, typical.token, seconds);
    log(`[bench] inbox many shops ${name}: ${JSON.stringify(manyShopsRows[name])}`);
  }
  return {
    conversations: options.conversations,
    messages: perConversation * options.conversations,
    shops: options.shops,
    seedSeconds,
    spreadSeedSeconds,
    oneShop,
    manyShops: manyShopsRows,
  };
}
