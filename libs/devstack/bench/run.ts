// biome-ignore-all lint/suspicious/noExplicitAny: the results document is assembled as plain JSON
// The benchmark target (`npx nx run @sms-inbox/devstack:bench`, or `nx run-many -t bench`): the
// whole stack on this machine (six services, NATS, FerretDB on PostgreSQL), load from autocannon,
// figures written to docs/benchmarks/results.json, SVG plots beside it, and the tables of
// docs/benchmarks.md between its result markers. Sizes come from BENCH_* variables (below).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { MongoClient } from 'mongodb';
import {
  buildServices,
  DashboardClient,
  eventually,
  natsServerBinary,
  repoRoot,
  SERVICE_NODE_FLAGS,
  type Stack,
  startStack,
  tempDir,
  twilioSignature,
} from '../src/index.js';
import { measureFloor } from './floor.js';
import { measureInbox } from './inbox.js';
import { countOperations, perMessage, sampleMachine } from './operations.js';
import { measurePage } from './page.js';
import { measureScheduler } from './scheduler.js';
import { summary } from './stats.js';
import { lineChart } from './svg.js';

const list = (v: string | undefined, d: string) =>
  (v ?? d)
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
const RATES = list(process.env.BENCH_RATES, '100,300,500,1000');
const REPLY_RATES = list(process.env.BENCH_REPLY_RATES, '50,100,200');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 200);
const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const SOAK_RATE = Number(process.env.BENCH_SOAK_RATE ?? 10);
const DRAIN_MS = Number(process.env.BENCH_DRAIN_MS ?? 120_000);
const INBOX_CONVERSATIONS = Number(process.env.BENCH_INBOX_CONVERSATIONS ?? 100_000);
const INBOX_MESSAGES = Number(process.env.BENCH_INBOX_MESSAGES ?? 1_000_000);
const INBOX_SHOPS = Number(process.env.BENCH_INBOX_SHOPS ?? 1_000);
const SCHEDULED = Number(process.env.BENCH_SCHEDULED ?? 10_000);
const PAGE_CONVERSATIONS = Number(process.env.BENCH_PAGE_CONVERSATIONS ?? 10_000);
const PAGE_LOADS = Number(process.env.BENCH_PAGE_LOADS ?? 20);
/** The floor goes on past the inbound rates, doubling, up to this or its saturation. */
const FLOOR_MAX_RATE = Number(process.env.BENCH_FLOOR_MAX_RATE ?? 3_200);
const SCHEDULE_LEAD_SECONDS = Number(process.env.BENCH_SCHEDULE_LEAD_SECONDS ?? 180);
const SCHEDULE_TIMEOUT_SECONDS = Number(process.env.BENCH_SCHEDULE_TIMEOUT_SECONDS ?? 600);
/**
 * Which parts run (inbound also covers the floor, the soak and memory); the others keep their last
 * results. `BENCH_ONLY=report` runs nothing and rewrites docs/benchmarks.md from results.json.
 */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'inbound,replies,inbox,scheduler,page').split(','));

const SHOP = 'bench.myshopify.com';
const NUMBER = '+14155550000';
const SERVICES = ['gateway', 'ingestion', 'subscriber', 'conversation', 'delivery', 'scheduler'] as const;
const out = join(repoRoot, 'docs/benchmarks');
const phoneOf = (i: number) => `+1415666${String(i).padStart(4, '0')}`;

interface RssSample {
  t: number;
  service: string;
  mb: number;
}

function rssOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

async function main() {
  mkdirSync(out, { recursive: true });
  const started = Date.now();
  let previous: Record<string, unknown> = {};
  try {
    previous = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  } catch {
    // first run
  }
  // The services as their images run them: compiled, with the same Node flags.
  buildServices();
  const stack: Stack = await startStack({
    dir: tempDir('bench'),
    compiled: true,
    logLevel: 'warn',
    env: { SEND_RATE_PER_NUMBER: '1000', RATE_LIMIT_PER_MINUTE: '1000000' },
  });
  const mongo = await MongoClient.connect(stack.env.MONGODB_URI!);
  const rss: RssSample[] = [];
  const sampler = setInterval(() => {
    for (const s of SERVICES)
      rss.push({ t: (Date.now() - started) / 1000, service: s, mb: rssOf(stack.services.get(s)?.pid) });
  }, 1_000);
  const results: Record<string, unknown> = {
    ...previous,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    versions: {
      ferretdb: execFileSync(join(repoRoot, '.tools/bin/ferretdb'), ['--version'], {
        encoding: 'utf8',
      }).split('\n')[0],
      natsServer: execFileSync(natsServerBinary(), ['--version'], { encoding: 'utf8' }).trim(),
      store: 'PostgreSQL, with our patches',
    },
    config: {
      ...(previous.config as object),
      ...(ONLY.has('inbound') ? { RATES, SECONDS, SUBSCRIBERS, SOAK_SECONDS, SOAK_RATE } : {}),
      ...(ONLY.has('replies') ? { REPLY_RATES } : {}),
      ...(ONLY.has('inbox')
        ? { INBOX_CONVERSATIONS, INBOX_MESSAGES, INBOX_SHOPS, INBOX_SECONDS: SECONDS }
        : {}),
      ...(ONLY.has('scheduler') ? { SCHEDULED, SCHEDULE_LEAD_SECONDS } : {}),
      ...(ONLY.has('page') ? { PAGE_CONVERSATIONS, PAGE_LOADS } : {}),
    },
  };
  // The command that produced each part's figures (a run of some parts keeps the others').
  const vars: Record<string, string> = {
    inbound: `BENCH_RATES=${RATES.join(',')} BENCH_SECONDS=${SECONDS} BENCH_SUBSCRIBERS=${SUBSCRIBERS} BENCH_SOAK_SECONDS=${SOAK_SECONDS} BENCH_SOAK_RATE=${SOAK_RATE}`,
    replies: `BENCH_REPLY_RATES=${REPLY_RATES.join(',')} BENCH_SECONDS=${SECONDS}`,
    inbox: `BENCH_INBOX_CONVERSATIONS=${INBOX_CONVERSATIONS} BENCH_INBOX_MESSAGES=${INBOX_MESSAGES} BENCH_INBOX_SHOPS=${INBOX_SHOPS} BENCH_SECONDS=${SECONDS}`,
    scheduler: `BENCH_SCHEDULED=${SCHEDULED} BENCH_SCHEDULE_LEAD_SECONDS=${SCHEDULE_LEAD_SECONDS} BENCH_SCHEDULE_TIMEOUT_SECONDS=${SCHEDULE_TIMEOUT_SECONDS}`,
    page: `BENCH_PAGE_CONVERSATIONS=${PAGE_CONVERSATIONS} BENCH_PAGE_LOADS=${PAGE_LOADS}`,
  };
  // Each variable once, whichever parts share it.
  const settings = [...new Set([...ONLY].flatMap((p) => (vars[p] ?? '').split(' ').filter(Boolean)))];
  const commands: Record<string, { at: string; command: string; machine?: string }> = {
    ...(previous.commands as Record<string, { at: string; command: string; machine?: string }>),
  };
  const machine = `${cpus().length} × ${cpus()[0]?.model}`;
  for (const part of Object.keys(vars).filter((p) => ONLY.has(p))) {
    commands[part] = {
      at: new Date().toISOString(),
      command: `BENCH_ONLY=${[...ONLY].join(',')} ${settings.join(' ')} npx nx run @sms-inbox/devstack:bench`,
      machine,
    };
  }
  results.commands = commands;
  const runsStack = ONLY.has('inbound') || ONLY.has('replies');
  let soakStart = 0;
  let soakSamples: RssSample[] = [];
  try {
    if (runsStack) {
      const dashboard = await DashboardClient.forShop(stack, SHOP, 'bench');
      await dashboard.request('PUT', '/v1/shop', {
        phoneNumber: NUMBER,
        keywords: ['JOIN'],
        timezone: 'Pacific/Kiritimati',
      });
      const messagesCol = mongo.db('sms_inbox_conversation').collection('messages');

      const webhook = (from: string, body: string) => {
        const path = '/webhooks/twilio/messages';
        const params: Record<string, string> = {
          MessageSid: `SM${Math.random().toString(16).slice(2).padEnd(16, '0')}${Date.now().toString(16).padStart(16, '0')}`,
          AccountSid: stack.env.TWILIO_ACCOUNT_SID!,
          From: from,
          To: NUMBER,
          Body: body,
        };
        return {
          body: new URLSearchParams(params).toString(),
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': twilioSignature(
              stack.env.TWILIO_AUTH_TOKEN!,
              `${stack.env.PUBLIC_BASE_URL}${path}`,
              params,
            ),
          },
        };
      };

      // Subscribers with open conversations, to spread load over ordering keys as real traffic does.
      console.log(`[bench] ${SUBSCRIBERS} subscribers...`);
      for (let i = 0; i < SUBSCRIBERS; i += 20) {
        await Promise.all(
          Array.from({ length: Math.min(20, SUBSCRIBERS - i) }, async (_, k) => {
            for (const text of ['JOIN', 'hello']) {
              const w = webhook(phoneOf(i + k), text);
              await fetch(`${stack.ingestionUrl}/webhooks/twilio/messages`, { method: 'POST', ...w });
            }
          }),
        );
      }
      const conversations = await eventually(async () => {
        const all = await dashboard.all('/v1/conversations?limit=100');
        return all.length >= SUBSCRIBERS ? all : undefined;
      }, 300_000);

      // 1. Inbound: signed webhooks at fixed rates → time until the message is in its conversation.
      const inbound: unknown[] = [];
      const inboundRun = async (rate: number, seconds: number) => {
        const run = `in${rate}x${Date.now()}`;
        const sentAt = new Map<number, number>();
        let seq = 0;
        const result = await autocannon({
          url: `${stack.ingestionUrl}/webhooks/twilio/messages`,
          method: 'POST',
          overallRate: rate,
          duration: seconds,
          connections: Math.min(200, Math.max(10, Math.ceil(rate / 4))),
          requests: [
            {
              setupRequest: (req) => {
                seq++;
                const w = webhook(phoneOf(seq % SUBSCRIBERS), `bench ${run} ${seq}`);
                sentAt.set(seq, Date.now());
                return { ...req, ...w };
              },
            },
          ],
        });
        const accepted = result['2xx'];
        const docs = await (async () => {
          const deadline = Date.now() + DRAIN_MS;
          let found: Array<{ text: string; recordedAt: Date }> = [];
          let last = -1;
          while (Date.now() < deadline) {
            found = (await messagesCol
              .find(
                { shop: SHOP, text: { $regex: `^bench ${run} ` } },
                { projection: { text: 1, recordedAt: 1 } },
              )
              .toArray()) as never;
            if (found.length >= accepted) break;
            if (found.length === last) await new Promise((r) => setTimeout(r, 2_000));
            last = found.length;
            await new Promise((r) => setTimeout(r, 1_000));
          }
          return found;
        })();
        const latencies = docs.map(
          (d) => new Date(d.recordedAt).getTime() - (sentAt.get(Number(d.text.split(' ')[2])) ?? 0),
        );
        const first = Math.min(...sentAt.values());
        const lastRecorded = Math.max(...docs.map((d) => new Date(d.recordedAt).getTime()));
        return {
          rate,
          seconds,
          sent: seq,
          accepted,
          non2xx: result.non2xx,
          errors: result.errors + result.timeouts,
          inInbox: docs.length,
          throughputPerSecond: Math.round((docs.length / ((lastRecorded - first) / 1000)) * 10) / 10,
          webhookLatencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
          toInboxMs: summary(latencies),
        };
      };
      // A rate the system cannot keep up with leaves a backlog that would distort the next run:
      // higher rates are then skipped (and reported as such).
      const skipped: number[] = [];
      const beforeInbound = await countOperations(stack, SERVICES);
      const machineBeforeInbound = sampleMachine();
      for (const rate of ONLY.has('inbound') ? RATES : []) {
        if (skipped.length) {
          skipped.push(rate);
          continue;
        }
        console.log(`[bench] inbound at ${rate}/s for ${SECONDS}s...`);
        const run = await inboundRun(rate, SECONDS);
        inbound.push(run);
        console.log(JSON.stringify(run));
        if (run.throughputPerSecond < rate * 0.8) skipped.push(-rate);
      }
      // Let any backlog finish before the next measurements.
      const acceptedTotal = inbound.reduce((n: number, r) => n + (r as { accepted: number }).accepted, 0);
      const drainDeadline = Date.now() + 15 * 60_000;
      while (Date.now() < drainDeadline) {
        const stored = await messagesCol.countDocuments({ shop: SHOP, text: { $regex: '^bench in' } });
        if (stored >= acceptedTotal) break;
        await new Promise((r) => setTimeout(r, 5_000));
      }
      const operations: Record<string, unknown> = { ...(previous.operations as object) };
      if (ONLY.has('inbound')) {
        operations.inboundText = perMessage(
          beforeInbound,
          await countOperations(stack, SERVICES),
          acceptedTotal,
          { before: machineBeforeInbound, after: sampleMachine() },
        );
        results.inbound = inbound;
        results.inboundSaturatedAt = skipped.length ? -skipped[0]! : null;
        results.inboundSkippedRates = skipped.slice(1);
      }

      // 5. The floor for 1: the same hops by the cheapest code in one process, at the same rates.
      const floor: unknown[] = [];
      for (const rate of RATES.filter((r) => inbound.some((i) => (i as { rate: number }).rate === r))) {
        console.log(`[bench] floor at ${rate}/s...`);
        floor.push(await measureFloor({ natsUrl: stack.env.NATS_URL!, mongo, rate, seconds: SECONDS }));
        console.log(JSON.stringify(floor.at(-1)));
      }
      // ... and on, at doubling rates, until it no longer keeps up: its own saturation, so that
      // ours can be given as a share of it.
      const floorBeyond: Array<{ rate: number; throughputPerSecond: number }> = [];
      const keptUp = (r: { rate: number; throughputPerSecond: number }) =>
        r.throughputPerSecond >= 0.8 * r.rate;
      let nextRate = Math.max(...RATES) * 2;
      const last = floor.at(-1) as { rate: number; throughputPerSecond: number } | undefined;
      while (ONLY.has('inbound') && (!last || keptUp(last)) && nextRate <= FLOOR_MAX_RATE) {
        console.log(`[bench] floor at ${nextRate}/s...`);
        const r = (await measureFloor({
          natsUrl: stack.env.NATS_URL!,
          mongo,
          rate: nextRate,
          seconds: SECONDS,
        })) as {
          rate: number;
          throughputPerSecond: number;
        };
        floorBeyond.push({ rate: r.rate, throughputPerSecond: r.throughputPerSecond });
        if (!keptUp(r)) break;
        nextRate *= 2;
      }
      if (ONLY.has('inbound')) {
        results.floor = floor;
        results.floorBeyond = floorBeyond;
      }

      // 2. Replies: gateway reply → the provider call at the Twilio simulator.
      const replies: unknown[] = [];
      const beforeReplies = await countOperations(stack, SERVICES);
      const machineBeforeReplies = sampleMachine();
      for (const rate of ONLY.has('replies') ? REPLY_RATES : []) {
        console.log(`[bench] replies at ${rate}/s for ${SECONDS}s...`);
        const run = `re${rate}x${Date.now()}`;
        const sentAt = new Map<number, number>();
        let seq = 0;
        const result = await autocannon({
          url: `${stack.gatewayUrl}/v1/conversations/x/replies`,
          method: 'POST',
          overallRate: rate,
          duration: SECONDS,
          connections: Math.min(200, Math.max(10, Math.ceil(rate / 4))),
          requests: [
            {
              setupRequest: (req) => {
                seq++;
                const c = conversations[seq % conversations.length];
                sentAt.set(seq, Date.now());
                return {
                  ...req,
                  path: `/v1/conversations/${c.id}/replies`,
                  headers: {
                    authorization: `Bearer ${dashboard.token}`,
                    'content-type': 'application/json',
                    'idempotency-key': `${run}-${seq}`,
                  },
                  body: JSON.stringify({ text: `reply ${run} ${seq}`, send: 'now' }),
                };
              },
            },
          ],
        });
        const deadline = Date.now() + DRAIN_MS;
        const sent = () => stack.twilio!.messages.filter((m) => m.body.startsWith(`reply ${run} `));
        while (Date.now() < deadline && sent().length < result['2xx'])
          await new Promise((r) => setTimeout(r, 1_000));
        const calls = sent();
        const latencies = calls.map(
          (m) => m.dateCreated.getTime() - (sentAt.get(Number(m.body.split(' ')[2])) ?? 0),
        );
        const first = Math.min(...sentAt.values());
        const last = Math.max(...calls.map((m) => m.dateCreated.getTime()));
        replies.push({
          rate,
          seconds: SECONDS,
          sent: seq,
          accepted: result['2xx'],
          non2xx: result.non2xx,
          providerCalls: calls.length,
          throughputPerSecond: Math.round((calls.length / ((last - first) / 1000)) * 10) / 10,
          apiLatencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
          toProviderMs: summary(latencies),
        });
        console.log(JSON.stringify(replies.at(-1)));
      }
      if (ONLY.has('replies')) {
        results.replies = replies;
        // Each reply with its status callbacks (the simulator sends them right after the call).
        await new Promise((r) => setTimeout(r, 5_000));
        const calls = replies.reduce((n: number, r) => n + (r as { providerCalls: number }).providerCalls, 0);
        operations.reply = perMessage(beforeReplies, await countOperations(stack, SERVICES), calls, {
          before: machineBeforeReplies,
          after: sampleMachine(),
        });
      }
      results.operations = operations;

      // 6. Memory: each service's RSS during the runs, then over a soak at a steady rate.
      const peak = Object.fromEntries(
        SERVICES.map((s) => [
          s,
          Math.round(Math.max(...rss.filter((r) => r.service === s).map((r) => r.mb))),
        ]),
      );
      soakStart = (Date.now() - started) / 1000;
      if (SOAK_SECONDS > 0 && ONLY.has('inbound')) {
        console.log(`[bench] soak at ${SOAK_RATE}/s for ${SOAK_SECONDS}s...`);
        results.soak = { ...(await inboundRun(SOAK_RATE, SOAK_SECONDS)) };
      }
      soakSamples = rss.filter((r) => r.t >= soakStart);
      const at = (s: string, which: 'first' | 'last') => {
        const own = soakSamples.filter((r) => r.service === s);
        const window = which === 'first' ? own.slice(10, 40) : own.slice(-30);
        return Math.round(window.reduce((a, r) => a + r.mb, 0) / Math.max(1, window.length));
      };
      if (ONLY.has('inbound'))
        results.memory = {
          peakDuringRunsMB: peak,
          soak: Object.fromEntries(
            SERVICES.map((s) => [s, { startMB: at(s, 'first'), endMB: at(s, 'last') }]),
          ),
        };
      clearInterval(sampler);

      // Where the time goes, hop by hop: mean processing time of each consumer and gRPC method.
      const hops: Record<string, { count: number; meanMs: number }> = {};
      for (const s of SERVICES) {
        const text = await (await fetch(`http://127.0.0.1:${stack.opsPort(s)}/metrics`)).text();
        const sums = new Map<string, number>();
        for (const m of text.matchAll(
          /^sms_inbox_(consumer_processing_seconds|grpc_server_duration_seconds)_(sum|count)\{(?:consumer|method)="([^"]+)"[^}]*\} ([\d.e+-]+)$/gm,
        )) {
          const key = `${s} ${m[1]!.startsWith('consumer') ? 'consumer' : 'grpc'} ${m[3]}`;
          sums.set(`${key}|${m[2]}`, (sums.get(`${key}|${m[2]}`) ?? 0) + Number(m[4]));
        }
        for (const [k, count] of sums) {
          if (!k.endsWith('|count') || count === 0) continue;
          const key = k.slice(0, -'|count'.length);
          hops[key] = { count, meanMs: Math.round(((sums.get(`${key}|sum`) ?? 0) / count) * 10_000) / 10 };
        }
      }
      results.hops = Object.fromEntries(Object.entries(hops).sort((a, b) => b[1].meanMs - a[1].meanMs));
    }
  } finally {
    clearInterval(sampler);
    await mongo.close();
    await stack.stop();
  }

  // 3 and 4 on stacks of their own: their data would slow the others down, and theirs.
  const own = async <T>(
    name: string,
    run: (stack: Stack, mongo: MongoClient) => Promise<T>,
    options: { web?: boolean } = {},
  ) => {
    const s = await startStack({
      dir: tempDir(`bench-${name}`),
      compiled: true,
      web: options.web,
      logLevel: 'warn',
      env: { SEND_RATE_PER_NUMBER: '1000', RATE_LIMIT_PER_MINUTE: '1000000', GRPC_TIMEOUT_MS: '600000' },
    });
    const m = await MongoClient.connect(s.env.MONGODB_URI!);
    try {
      return await run(s, m);
    } finally {
      await m.close();
      await s.stop();
    }
  };
  if (ONLY.has('inbox')) {
    results.inbox = await own('inbox', (s, m) =>
      measureInbox({
        stack: s,
        mongo: m,
        conversations: INBOX_CONVERSATIONS,
        messages: INBOX_MESSAGES,
        shops: INBOX_SHOPS,
        seconds: SECONDS,
        log: console.log,
      }),
    );
  }
  if (ONLY.has('scheduler')) {
    results.scheduler = await own('scheduler', (s, m) =>
      measureScheduler({
        stack: s,
        mongo: m,
        count: SCHEDULED,
        leadSeconds: SCHEDULE_LEAD_SECONDS,
        timeoutSeconds: SCHEDULE_TIMEOUT_SECONDS,
        log: console.log,
      }),
    );
  }
  if (ONLY.has('page')) {
    results.page = await own(
      'page',
      (s, m) =>
        measurePage({
          stack: s,
          mongo: m,
          conversations: PAGE_CONVERSATIONS,
          loads: PAGE_LOADS,
          log: console.log,
        }),
      { web: true },
    );
  }
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  if (ONLY.has('inbound') || ONLY.has('replies')) writeCharts(results, soakSamples, soakStart);
  writeReport(results);
  console.log(`[bench] done in ${Math.round((Date.now() - started) / 1000)} s; docs/benchmarks.md updated`);
}

function writeCharts(results: any, soak: RssSample[], soakStart: number) {
  const series = (rows: any[], key: string, label: string) =>
    ['p50', 'p95', 'p99'].map((p) => ({
      name: `${label} ${p}`,
      points: rows.map((r) => [r.rate, r[key][p]] as [number, number]),
    }));
  writeFileSync(
    join(out, 'inbound-latency.svg'),
    lineChart({
      title: 'Inbound: webhook → message in its conversation',
      xLabel: 'offered rate (webhooks/s)',
      yLabel: 'latency (ms)',
      logY: true,
      series: [
        ...series(results.inbound, 'toInboxMs', 'ours'),
        ...series(results.floor, 'latencyMs', 'floor'),
      ],
    }),
  );
  writeFileSync(
    join(out, 'replies-latency.svg'),
    lineChart({
      title: 'Replies: POST /replies → Twilio API call',
      xLabel: 'offered rate (replies/s)',
      yLabel: 'latency (ms)',
      logY: true,
      series: series(results.replies, 'toProviderMs', 'reply'),
    }),
  );
  writeFileSync(
    join(out, 'rss-soak.svg'),
    lineChart({
      title: `RSS over the soak (${SOAK_RATE} texts/s)`,
      xLabel: 'seconds into the soak',
      yLabel: 'RSS (MB)',
      series: SERVICES.map((s) => ({
        name: s,
        points: soak
          .filter((r) => r.service === s)
          .map((r) => [Math.round(r.t - soakStart), Math.round(r.mb)] as [number, number]),
      })),
    }),
  );
}

/** One line when every part comes from the same run, else a line per part. */
function commandLines(commands: Record<string, { at: string; command: string; machine?: string }>): string[] {
  const runs = new Set(Object.values(commands).map((c) => `${c.at} ${c.command}`));
  const [first] = Object.values(commands);
  if (runs.size === 1 && first) {
    return [`All parts come from one run, started ${first.at}: \`${first.command}\``];
  }
  return [
    "Each part's figures come from:",
    '',
    ...Object.entries(commands).map(
      ([part, c]) => `- ${part}, ${c.at}${c.machine ? ` (on ${c.machine})` : ''}: \`${c.command}\``,
    ),
  ];
}

function writeReport(results: any) {
  const file = join(repoRoot, 'docs/benchmarks.md');
  const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v)}` : '–');
  const lines = [
    '<!-- results:start (written by the bench target; edit around it) -->',
    `Machine of the latest run: ${results.machine.cpus} × ${results.machine.cpuModel}, ${results.machine.memoryGiB} GiB, Node ${results.machine.node}, FerretDB ${results.versions.ferretdb} (${results.versions.store ?? 'SQLite'}), ${results.versions.natsServer}.`,
    '',
    ...commandLines(results.commands ?? {}),
    '',
    '**Inbound** (signed webhooks → message in its conversation; floor = the same hops by bare code in one process)',
    '',
    ...(results.inboundSaturatedAt
      ? [
          `Saturated at ${results.inboundSaturatedAt}/s (throughput under 80% of the offered rate); not run: ${results.inboundSkippedRates.join(', ') || '–'}/s.`,
          '',
        ]
      : []),
    '| offered /s | accepted | in inbox | ours /s | floor /s | ratio (floor ÷ ours) | ours p50 / p95 / p99 ms | floor p50 / p99 ms | webhook answer p50 / p99 ms |',
    '|---|---|---|---|---|---|---|---|---|',
    ...results.inbound.map((r: any, i: number) => {
      const f = results.floor[i];
      return `| ${r.rate} | ${r.accepted} | ${r.inInbox} | ${r.throughputPerSecond} | ${f.throughputPerSecond} | ${(f.throughputPerSecond / r.throughputPerSecond).toFixed(1)} | ${ms(r.toInboxMs.p50)} / ${ms(r.toInboxMs.p95)} / ${ms(r.toInboxMs.p99)} | ${ms(f.latencyMs.p50)} / ${ms(f.latencyMs.p99)} | ${r.webhookLatencyMs.p50} / ${r.webhookLatencyMs.p99} |`;
    }),
    ...floorSummary(results),
    '',
    '**Replies** (POST /v1/conversations/{id}/replies → the Twilio API call)',
    '',
    '| offered /s | accepted | provider calls | calls /s | p50 / p95 / p99 ms | API answer p50 / p99 ms |',
    '|---|---|---|---|---|---|',
    ...results.replies.map(
      (r: any) =>
        `| ${r.rate} | ${r.accepted} | ${r.providerCalls} | ${r.throughputPerSecond} | ${ms(r.toProviderMs.p50)} / ${ms(r.toProviderMs.p95)} / ${ms(r.toProviderMs.p99)} | ${r.apiLatencyMs.p50} / ${r.apiLatencyMs.p99} |`,
    ),
    '',
    ...(results.inbox
      ? [
          `**Inbox reads** (through the gateway, one request after another for ${results.config.INBOX_SECONDS ?? results.config.SECONDS ?? SECONDS} s each, at least one; one shop with ${results.inbox.conversations.toLocaleString('en')} conversations and ${results.inbox.messages.toLocaleString('en')} messages, seeded in ${results.inbox.seedSeconds} s; then ${results.inbox.shops.toLocaleString('en')} shops, read for one of them)`,
          '',
          '| data | read | requests | p50 / p99 ms |',
          '|---|---|---|---|',
          ...Object.entries(results.inbox.oneShop).map(
            ([k, v]: [string, any]) => `| one shop | ${k} | ${v.requests} | ${ms(v.p50)} / ${ms(v.p99)} |`,
          ),
          ...Object.entries(results.inbox.manyShops).map(
            ([k, v]: [string, any]) =>
              `| ${results.inbox.shops} shops | ${k} | ${v.requests} | ${ms(v.p50)} / ${ms(v.p99)} |`,
          ),
          '',
        ]
      : []),
    ...(results.scheduler
      ? [
          `**Scheduler** (${results.scheduler.count.toLocaleString('en')} replies scheduled for one instant; ${results.scheduler.storeSeconds == null ? 'not every job was stored when the run was stopped' : `jobs stored ${results.scheduler.storedBeforeRelease ? 'before' : 'only after'} it, in ${results.scheduler.storeSeconds} s`}${results.scheduler.stoppedAfterSeconds ? `; stopped ${results.scheduler.stoppedAfterSeconds} s after the instant` : ''})`,
          '',
          '| sent | all sent within | sends/s | after the instant p50 / p99 / max ms |',
          '|---|---|---|---|',
          `| ${results.scheduler.sent} of ${results.scheduler.count} | ${results.scheduler.allSentWithinSeconds ?? '–'} s | ${results.scheduler.sendsPerSecond} | ${ms(results.scheduler.afterReleaseMs.p50)} / ${ms(results.scheduler.afterReleaseMs.p99)} / ${ms(results.scheduler.afterReleaseMs.max)} |`,
          '',
          ...(results.scheduler.machine
            ? [
                `The machine's CPU ms per release, from the instant to the last send: ${machineCost(results.scheduler.machine, 'the simulator', ' releases')}.`,
                '',
              ]
            : []),
        ]
      : []),
    ...(results.page
      ? [
          `**Inbox page** (headless Chromium on the same machine, ${results.page.loads} loads each in a fresh browser context, nothing cached; ${results.page.conversations.toLocaleString('en')} conversations in the shop)`,
          '',
          '| bundle JS (gzip) KB | bundle CSS (gzip) KB | time to first list: first load / p50 / p99 / max ms |',
          '|---|---|---|',
          `| ${results.page.bundle.jsKB} (${results.page.bundle.jsGzipKB}) | ${results.page.bundle.cssKB} (${results.page.bundle.cssGzipKB}) | ${ms(results.page.firstListMs.first)} / ${ms(results.page.firstListMs.p50)} / ${ms(results.page.firstListMs.p99)} / ${ms(results.page.firstListMs.max)} |`,
          '',
        ]
      : []),
    ...operationsTable(results.operations),
    '**Where the time goes** (mean processing time per consumer and gRPC method over the whole run, slowest first)',
    '',
    '| service | hop | count | mean ms |',
    '|---|---|---|---|',
    ...Object.entries(results.hops)
      .slice(0, 12)
      .map(
        ([k, v]: [string, any]) =>
          `| ${k.split(' ')[0]} | ${k.split(' ').slice(1).join(' ')} | ${v.count} | ${v.meanMs} |`,
      ),
    '',
    `**Memory** (RSS, MB; each service runs compiled, \`node ${SERVICE_NODE_FLAGS.join(' ')} dist/main.js\`)`,
    '',
    `| service | peak during the runs | soak start | soak end (${results.config?.SOAK_SECONDS ?? SOAK_SECONDS} s at ${results.config?.SOAK_RATE ?? SOAK_RATE}/s) |`,
    '|---|---|---|---|',
    ...SERVICES.map(
      (s) =>
        `| ${s} | ${results.memory.peakDuringRunsMB[s]} | ${results.memory.soak[s].startMB} | ${results.memory.soak[s].endMB} |`,
    ),
    '',
    '![inbound latency](benchmarks/inbound-latency.svg) ![reply latency](benchmarks/replies-latency.svg) ![RSS over the soak](benchmarks/rss-soak.svg)',
    '<!-- results:end -->',
  ];
  let doc = '';
  try {
    doc = readFileSync(file, 'utf8');
  } catch {
    doc = '# Benchmarks\n\n<!-- results:start -->\n<!-- results:end -->\n';
  }
  doc = doc.replace(/<!-- results:start[\s\S]*<!-- results:end -->/, lines.join('\n'));
  writeFileSync(file, doc);
}

await main();
process.exit(0);

/** The floor past the inbound rates, and ours as a share of the floor's saturation. */
function floorSummary(results: any): string[] {
  const beyond: Array<{ rate: number; throughputPerSecond: number }> = results.floorBeyond ?? [];
  if (beyond.length === 0) return [];
  const all = [...results.floor, ...beyond] as Array<{ rate: number; throughputPerSecond: number }>;
  const best = Math.max(...all.map((r) => r.throughputPerSecond));
  const saturated = beyond.find((r) => r.throughputPerSecond < 0.8 * r.rate);
  const ours = Math.max(
    ...results.inbound
      .filter((r: { rate: number; throughputPerSecond: number }) => r.throughputPerSecond >= 0.8 * r.rate)
      .map((r: { throughputPerSecond: number }) => r.throughputPerSecond),
    0,
  );
  return [
    '',
    `Floor past those rates: ${beyond.map((r) => `${r.throughputPerSecond}/s offered ${r.rate}/s`).join(', ')}; ${saturated ? `saturated at ${saturated.rate}/s` : 'not saturated at the highest rate run'}, at most ${best}/s. Ours kept up to ${ours}/s: ${Math.round((ours / best) * 100)}% of the floor's best.`,
  ];
}

/** The machine's CPU per message (`machine` of operations.ts): in all, by program, and the cores' bound. */
function machineCost(m: any, bench: string, unit: string): string {
  return `${m.cpuMs.all} in all, of which PostgreSQL ${m.cpuMs.postgres}, FerretDB ${m.cpuMs.ferretdb}, NATS ${m.cpuMs['nats-server']}, ${bench} ${m.cpuMs.bench}; its ${m.cores} cores would all be busy at ${m.cpuBoundPerSecond}${unit}/s`;
}

/** Store operations, publishes and gRPC calls per message, as the services counted them. */
function operationsTable(operations: any): string[] {
  const rows = Object.entries(operations ?? {}).filter(([, v]) => v) as Array<[string, any]>;
  if (rows.length === 0) return [];
  const names: Record<string, string> = {
    inboundText: 'inbound text',
    reply: 'reply sent now (with its status callbacks)',
  };
  return [
    "**Operations per message** (each service's own counters over the inbound and the replies runs, divided by the texts accepted and the provider calls made)",
    '',
    `| message | messages | store operations (${SERVICES.join(' / ')}) | in all | bus publishes | gRPC calls | CPU ms (same order) |`,
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      ([k, v]) =>
        `| ${names[k] ?? k} | ${v.messages} | ${SERVICES.map((s) => v.db[s] ?? 0).join(' / ')} | ${v.dbTotal} | ${v.publishes} | ${v.grpcCalls} | ${v.cpuMs ? SERVICES.map((s) => v.cpuMs[s] ?? 0).join(' / ') : '–'} |`,
    ),
    '',
    ...rows.flatMap(([k, v]) =>
      v.machine
        ? [
            `- ${names[k] ?? k}, the machine's CPU ms per message (the services' own: the table's last column): ${machineCost(v.machine, 'the load generator and simulator', '')}`,
          ]
        : [],
    ),
    ...rows.flatMap(([k, v]) =>
      v.commands
        ? [
            `- ${names[k] ?? k}, store operations by service, command and collection: ${Object.entries(
              v.commands,
            )
              .map(([c, n]) => `${c} ${n}`)
              .join(', ')}`,
          ]
        : [],
    ),
    '',
  ];
}
