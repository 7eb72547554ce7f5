// Store operations, bus publishes, gRPC calls and CPU time per message, counted by the services
// themselves: every service's /metrics read before and after a part of the run, the difference
// divided by the messages it handled. Whatever runs in the background meanwhile (sweeps, gauges)
// counts too.
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
}

const round = (v: number) => Math.round(v * 10) / 10;

/** What happened between two counts, per message. */
export function perMessage(
  before: Record<string, Counts>,
  after: Record<string, Counts>,
  messages: number,
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
  };
}
