// One mongoose connection per service, to that service's own database.
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

/** MongoDB's duplicate-key error: the signal that an idempotent insert already happened. */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
