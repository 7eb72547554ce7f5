// One mongoose connection per service, to that service's own database.
import './driver-fix.js';
import { createRequire } from 'node:module';
import type { Logger } from '@sms-inbox/platform';
import mongoose, { type Connection } from 'mongoose';
import { Histogram } from 'prom-client';

export type { Connection };

type ConnectionCommand = (
  ns: unknown,
  command: Record<string, unknown>,
  ...rest: unknown[]
) => Promise<unknown>;
const driver = createRequire(import.meta.url)('mongodb/lib/cmap/connection.js') as {
  Connection: { prototype: { command: ConnectionCommand } };
};

export interface MongoOptions {
  uri: string;
  database: string;
  /** Where a command slower than `slowMs` is logged (name, collection and time, never its data). */
  logger?: Logger;
  slowMs?: number;
}

const commandSeconds = new Histogram({
  name: 'sms_inbox_db_command_duration_seconds',
  help: 'Database commands by name and collection, until their answer',
  labelNames: ['command', 'collection'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

/** Where each process's commands are reported (one connection per service; the last one wins). */
let watcher: MongoOptions | null = null;

/**
 * Times every command of the process by wrapping the driver's `Connection.command`, not with the
 * driver's command monitoring: for its "succeeded" event the driver decodes each reply whole, then
 * the cursor decodes the same documents again (driver 7.8), which doubled the decoding of every
 * page the inbox reads. The servers' heartbeats are left out.
 */
function watchCommands(options: MongoOptions): void {
  watcher = options;
  const proto = driver.Connection.prototype;
  if ((proto.command as { timed?: boolean }).timed) return;
  const original = proto.command;
  const timed: ConnectionCommand = async function (this: unknown, ns, command, ...rest) {
    const name = Object.keys(command)[0] ?? '';
    if (HEARTBEATS.has(name)) return original.call(this, ns, command, ...rest);
    const target = command[name];
    const started = performance.now();
    try {
      return await original.call(this, ns, command, ...rest);
    } finally {
      observe(name, typeof target === 'string' ? target : '', performance.now() - started);
    }
  };
  Object.assign(timed, { timed: true });
  proto.command = timed;
}

const HEARTBEATS = new Set(['hello', 'isMaster', 'ismaster']);

function observe(command: string, collection: string, ms: number): void {
  commandSeconds.observe({ command, collection }, ms / 1000);
  if (ms >= (watcher?.slowMs ?? 500)) {
    watcher?.logger?.warn({ command, collection, durationMs: Math.round(ms) }, 'slow database command');
  }
}

export async function connectMongo(options: MongoOptions): Promise<Connection> {
  const connection = mongoose.createConnection(options.uri, {
    dbName: options.database,
    serverSelectionTimeoutMS: 5_000,
    // FerretDB has no multi-document transactions and no retryable writes.
    retryWrites: false,
    autoIndex: false,
    autoCreate: true,
  });
  watchCommands(options);
  await connection.asPromise();
  return connection;
}

/** Readiness: the database answers a ping now. */
export async function pingMongo(connection: Connection): Promise<boolean> {
  try {
    if (connection.readyState !== 1 || !connection.db) return false;
    await connection.db.admin().command({ ping: 1 });
    return true;
  } catch {
    return false;
  }
}

/**
 * A unique-index violation (code 11000, on inserts, updates and upserts alike; the local store
 * answers it too, see the store conformance suite): the signal that an idempotent insert already
 * happened.
 */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

export {
  BatchedInserts,
  BatchedUpdates,
  DocumentWriteError,
  KeyedReads,
} from './batching.js';
export { type Erasure, ErasureLog, type ErasureRecord } from './erasure-log.js';
