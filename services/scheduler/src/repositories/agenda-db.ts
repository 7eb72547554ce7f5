// The jobs' database as Agenda sees it. Agenda's MongoDB backend addresses one job by
// `{ _id, name }` (saving its state when it starts and ends, updating it). FerretDB (SQLite) looks
// a document up by index only for a filter on `_id` alone; with the name beside it, it reads
// every job, so each release cost a read of the whole collection (2 s with 10,000 waiting). A job
// id names one job whatever its name, so this view drops `name` from such filters and leaves
// every other filter as Agenda wrote it.
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

function narrowed<T extends Document>(collection: Collection<T>): Collection<T> {
  return new Proxy(collection, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !FILTERED.has(property) || typeof value !== 'function')
        return value;
      return (filter: unknown, ...rest: unknown[]) => value.call(target, byIdAlone(filter), ...rest);
    },
  });
}

export function agendaDb(db: Db): Db {
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'collection') {
        return (name: string, options?: object) => narrowed(target.collection(name, options));
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
