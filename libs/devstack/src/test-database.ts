// A repository's integration test database: a store of the test's own (FerretDB on PostgreSQL in
// temp folders, as startFerretDb) and a connection to one database on it, as a service opens it.
import { type Connection, connectMongo } from '@sms-inbox/mongo';
import { createLogger } from '@sms-inbox/platform';
import { type FerretDb, startFerretDb } from './processes.js';

export interface TestDatabase {
  connection: Connection;
  store: FerretDb;
  /** Closes the connection and stops the store. */
  stop(): Promise<void>;
}

export async function startTestDatabase(database: string): Promise<TestDatabase> {
  const store = await startFerretDb();
  try {
    const connection = await connectMongo({
      uri: store.uri,
      database,
      logger: createLogger(`${database}-test`, 'silent'),
    });
    return {
      connection,
      store,
      stop: async () => {
        await connection.close();
        await store.stop();
      },
    };
  } catch (err) {
    await store.stop();
    throw err;
  }
}
