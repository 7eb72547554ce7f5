// One mongoose connection per service, to that service's own database.
import './driver-fix.js';
import mongoose, { type Connection } from 'mongoose';

export type { Connection };

export interface MongoOptions {
  uri: string;
  database: string;
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
 * A unique-index violation: the signal that an idempotent insert already happened. MongoDB and
 * FerretDB inserts answer code 11000; FerretDB 1.x (SQLite backend) answers an update that would
 * break a unique index with another code and SQLite's "UNIQUE constraint failed" text.
 */
export function isDuplicateKey(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  return (
    code === 11000 || (typeof message === 'string' && /UNIQUE constraint failed|duplicate key/.test(message))
  );
}
