// One mongoose connection per service, to that service's own database.
import './driver-fix.js';
import type { Logger } from '@sms-inbox/platform';
import mongoose, { type Connection } from 'mongoose';
import { Histogram } from 'prom-client';

export type { Connection };

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

/** Times every command of the connection (which collection a filter scans is what matters here). */
function watchCommands(connection: Connection, options: MongoOptions): void {
  const client = connection.getClient();
  const started = new Map<number, string>();
  const slowMs = options.slowMs ?? 500;
  client.on('commandStarted', (e) => {
    const target = e.command[e.commandName];
    started.set(e.requestId, typeof target === 'string' ? target : '');
  });
  const done = (e: { requestId: number; commandName: string; duration: number }) => {
    const collection = started.get(e.requestId) ?? '';
    started.delete(e.requestId);
    commandSeconds.observe({ command: e.commandName, collection }, e.duration / 1000);
    if (e.duration >= slowMs) {
      options.logger?.warn(
        { command: e.commandName, collection, durationMs: Math.round(e.duration) },
        'slow database command',
      );
    }
  };
  client.on('commandSucceeded', done);
  client.on('commandFailed', done);
}

export async function connectMongo(options: MongoOptions): Promise<Connection> {
  const connection = mongoose.createConnection(options.uri, {
    dbName: options.database,
    serverSelectionTimeoutMS: 5_000,
    // FerretDB has no multi-document transactions and no retryable writes.
    retryWrites: false,
    autoIndex: false,
    autoCreate: true,
    monitorCommands: true,
  });
  watchCommands(connection, options);
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
