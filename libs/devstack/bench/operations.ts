// Store operations, bus publishes and gRPC calls per message, counted by the services themselves:
// every service's /metrics read before and after a part of the run, the difference divided by the
// messages it handled. Whatever runs in the background meanwhile (sweeps, gauges) counts too.
import type { ServiceName, Stack } from '../src/index.js';

export interface Counts {
  db: number;
  publishes: number;
  grpcCalls: number;
}

const SERIES: Record<keyof Counts, RegExp> = {
  db: /^sms_inbox_db_command_duration_seconds_count(?:\{[^}]*\})? ([\d.e+-]+)$/gm,
  publishes: /^sms_inbox_bus_published_total(?:\{[^}]*\})? ([\d.e+-]+)$/gm,
  grpcCalls: /^sms_inbox_grpc_client_duration_seconds_count(?:\{[^}]*\})? ([\d.e+-]+)$/gm,
};

/** Each service's totals now. */
export async function countOperations(
  stack: Stack,
  services: readonly ServiceName[],
): Promise<Record<string, Counts>> {
  const out: Record<string, Counts> = {};
  for (const s of services) {
    const text = await (await fetch(`http://127.0.0.1:${stack.opsPort(s)}/metrics`)).text();
    const sum = (re: RegExp) => [...text.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
    out[s] = { db: sum(SERIES.db), publishes: sum(SERIES.publishes), grpcCalls: sum(SERIES.grpcCalls) };
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
}

const round = (v: number) => Math.round(v * 10) / 10;

/** What happened between two counts, per message. */
export function perMessage(
  before: Record<string, Counts>,
  after: Record<string, Counts>,
  messages: number,
): PerMessage {
  const delta = (s: string, k: keyof Counts) => (after[s]?.[k] ?? 0) - (before[s]?.[k] ?? 0);
  const services = Object.keys(after);
  const total = (k: keyof Counts) => services.reduce((n, s) => n + delta(s, k), 0);
  const n = Math.max(1, messages);
  return {
    messages,
    db: Object.fromEntries(services.map((s) => [s, round(delta(s, 'db') / n)])),
    dbTotal: round(total('db') / n),
    publishes: round(total('publishes') / n),
    grpcCalls: round(total('grpcCalls') / n),
  };
}
