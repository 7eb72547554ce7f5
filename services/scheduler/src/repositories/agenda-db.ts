// The jobs' database as Agenda sees it. Agenda's MongoDB backend addresses one job by
// `{ _id, name }` (saving its state when it starts and ends, updating it). FerretDB (SQLite) looks
// a document up by index only for a filter on `_id` alone; with the name beside it, it reads
// every job, so each release cost a read of the whole collection (2 s with 10,000 waiting). A job
// id names one job whatever its name, so this view drops `name` from such filters and leaves
// every other filter as Agenda wrote it.
//
// FerretDB also applies a findOneAndUpdate as a read and then a write, with nothing in between:
// two lock queries at once (Agenda starts a new look for due jobs while the last one is still
// locking) can both take the same job, and the one that finishes second finds it removed. This
// view runs one findOneAndUpdate at a time per process, which makes a job's lock this replica's
// alone; replicas among themselves need MongoDB's atomic updates (docs/architecture.md).
import { KeyedMutex } from '@sms-inbox/platform';
import type { Collection, Db, Document } from 'mongodb';

const FILTERED = new Set([
  'find',
  'findOne',
  'countDocuments',
  'updateOne',
  'updateMany',
  'findOneAndUpdate',
  'deleteOne',
  'deleteMany',
]);

/** `{ _id: <id>, name: <string> }` → `{ _id: <id> }`; any other filter as it is. */
export function byIdAlone(filter: unknown): unknown {
  if (typeof filter !== 'object' || filter === null) return filter;
  const keys = Object.keys(filter);
  const { _id, name } = filter as { _id?: unknown; name?: unknown };
  const plainId =
    _id !== undefined &&
    _id !== null &&
    (typeof _id === 'string' ||
      (typeof _id === 'object' && !Object.keys(_id).some((k) => k.startsWith('$'))));
  if (keys.length === 2 && plainId && typeof name === 'string') return { _id };
  return filter;
}

function narrowed<T extends Document>(collection: Collection<T>, locks: KeyedMutex): Collection<T> {
  return new Proxy(collection, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !FILTERED.has(property) || typeof value !== 'function') {
        return value;
      }
      const call = (filter: unknown, ...rest: unknown[]) => value.call(target, byIdAlone(filter), ...rest);
      if (property !== 'findOneAndUpdate') return call;
      return (filter: unknown, ...rest: unknown[]) =>
        locks.run(collection.collectionName, () => call(filter, ...rest));
    },
  });
}

export function agendaDb(db: Db): Db {
  const locks = new KeyedMutex();
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'collection') {
        return (name: string, options?: object) => narrowed(target.collection(name, options), locks);
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
