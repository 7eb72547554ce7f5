// Store operations, bus publishes, gRPC calls and CPU time per message, counted by the services
// themselves: every service's /metrics read before and after a part of the run, the difference
// divided by the messages it handled. Whatever runs in the background meanwhile (sweeps, gauges)
// counts too. Beside them, the CPU time of the whole machine and of the programs the services
// stand on (the store's two, the broker), read from /proc: where a message's cost goes.
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { ServiceName, Stack } from '../src/index.js';

export interface Counts {
  db: number;
  publishes: number;
  grpcCalls: number;
  /** CPU seconds of the service's process (user and system). */
  cpuSeconds: number;
  /** Store operations by command and collection. */
  commands: Record<string, number>;
}

type Total = Exclude<keyof Counts, 'commands'>;

const SERIES: Record<Total, RegExp> = {
  db: /^sms_inbox_db_command_duration_seconds_count(?:\{[^}]*\})? ([\d.e+-]+)$/gm,
  publishes: /^sms_inbox_bus_published_total(?:\{[^}]*\})? ([\d.e+-]+)$/gm,
  grpcCalls: /^sms_inbox_grpc_client_duration_seconds_count(?:\{[^}]*\})? ([\d.e+-]+)$/gm,
  cpuSeconds: /^sms_inbox_process_cpu_seconds_total(?:\{[^}]*\})? ([\d.e+-]+)$/gm,
};

const COMMANDS =
  /^sms_inbox_db_command_duration_seconds_count\{command="([^"]*)",collection="([^"]*)"\} ([\d.e+-]+)$/gm;

/** Each service's totals now. */
export async function countOperations(
  stack: Stack,
  services: readonly ServiceName[],
): Promise<Record<string, Counts>> {
  const out: Record<string, Counts> = {};
  for (const s of services) {
    const text = await (await fetch(`http://127.0.0.1:${stack.opsPort(s)}/metrics`)).text();
    const sum = (re: RegExp) => [...text.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
    const commands: Record<string, number> = {};
    for (const m of text.matchAll(COMMANDS)) commands[`${m[1]} ${m[2]}`] = Number(m[3]);
    out[s] = {
      db: sum(SERIES.db),
      publishes: sum(SERIES.publishes),
      grpcCalls: sum(SERIES.grpcCalls),
      cpuSeconds: sum(SERIES.cpuSeconds),
      commands,
    };
  }
  return out;
}

/** The kernel's clock ticks per second for /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS = 100;
/** The programs under the services, by their process name: the store (PostgreSQL, FerretDB) and the broker. */
const PROGRAMS = ['postgres', 'ferretdb', 'nats-server'] as const;

export interface MachineCpu {
  /** CPU seconds the machine spent busy (user, system, interrupts), all cores together. */
  busy: number;
  /** CPU seconds of every process of each program, and of the children they reaped. */
  programs: Record<(typeof PROGRAMS)[number], number>;
  /** CPU seconds of this process: the load generator and the Twilio simulator. */
  bench: number;
}

/** The machine's CPU time now. */
export function sampleMachine(): MachineCpu {
  const [, user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8')
    .split('\n', 1)[0]!
    .trim()
    .split(/\s+/)
    .map(Number);
  const programs = Object.fromEntries(PROGRAMS.map((p) => [p, 0])) as MachineCpu['programs'];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) as keyof MachineCpu['programs'];
    if (!PROGRAMS.includes(name)) continue;
    // After the name: state ppid … utime stime cutime cstime are the 12th to 15th fields.
    const [utime, stime, cutime, cstime] = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .slice(11, 15)
      .map(Number);
    programs[name] += (utime! + stime! + cutime! + cstime!) / TICKS;
  }
  const own = process.cpuUsage();
  return {
    busy: (user! + nice! + system! + irq! + softirq!) / TICKS,
    programs,
    bench: (own.user + own.system) / 1e6,
  };
}

export interface PerMessage {
  messages: number;
  /** Store operations per message, by service and in all. */
  db: Record<string, number>;
  dbTotal: number;
  publishes: number;
  grpcCalls: number;
  /** CPU milliseconds per message, by service (a figure of the machine, unlike the counts). */
  cpuMs: Record<string, number>;
  /** Store operations per message by service, command and collection (those of 0.1 or more). */
  commands: Record<string, number>;
  /**
   * CPU milliseconds per message of the whole machine, of the store's and the broker's programs
   * and of the load generator; and the rate at which the machine's cores would all be busy.
   */
  machine?: { cpuMs: Record<string, number>; cores: number; cpuBoundPerSecond: number };
}

const round = (v: number) => Math.round(v * 10) / 10;

/** What happened between two counts, per message. */
export function perMessage(
  before: Record<string, Counts>,
  after: Record<string, Counts>,
  messages: number,
  machine?: { before: MachineCpu; after: MachineCpu },
): PerMessage {
  const delta = (s: string, k: Total) => (after[s]?.[k] ?? 0) - (before[s]?.[k] ?? 0);
  const services = Object.keys(after);
  const total = (k: Total) => services.reduce((n, s) => n + delta(s, k), 0);
  const n = Math.max(1, messages);
  const commands: Record<string, number> = {};
  for (const s of services) {
    for (const [k, v] of Object.entries(after[s]?.commands ?? {})) {
      const per = round((v - (before[s]?.commands[k] ?? 0)) / n);
      if (per >= 0.1) commands[`${s} ${k}`] = per;
    }
  }
  return {
    messages,
    db: Object.fromEntries(services.map((s) => [s, round(delta(s, 'db') / n)])),
    dbTotal: round(total('db') / n),
    publishes: round(total('publishes') / n),
    grpcCalls: round(total('grpcCalls') / n),
    cpuMs: Object.fromEntries(services.map((s) => [s, round((delta(s, 'cpuSeconds') * 1000) / n)])),
    commands: Object.fromEntries(Object.entries(commands).sort((a, b) => b[1] - a[1])),
    ...(machine && { machine: machineShare(machine.before, machine.after, n) }),
  };
}

/** This machine's CPU per message between two samples, and the rate that would keep every core busy. */
export function machineShare(before: MachineCpu, after: MachineCpu, n: number) {
  const ms = (seconds: number) => round((seconds * 1000) / n);
  const busy = after.busy - before.busy;
  const cores = cpus().length;
  return {
    cpuMs: {
      all: ms(busy),
      ...Object.fromEntries(PROGRAMS.map((p) => [p, ms(after.programs[p] - before.programs[p])])),
      bench: ms(after.bench - before.bench),
    },
    cores,
    cpuBoundPerSecond: busy > 0 ? Math.round((cores * n) / busy) : 0,
  };
}
