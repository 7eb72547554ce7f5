// Group commit for the single-document reads and writes on the services' hot paths. A service's
// concurrent handlers each read one document by a unique key (or insert one, or update one without
// needing the match count), and the store sees one command for all the calls made in one turn or
// while the previous command of their kind was out: `find` with `$in`, an unordered `insertMany`,
// or an unordered `bulkWrite` of `updateOne`s. A call alone goes at once; under load a call waits
// at most for the one command in flight, and the store does a fraction of the work (each command
// costs the driver, FerretDB and PostgreSQL far more than each document in it).
//
// Each call still gets its own answer: its document or null, its own error (a repeated key is
// that insert's duplicate-key error, code 11000, whether the key was stored before or by another
// call of the same command). Nothing here is held between commands, so it is right with any
// number of replicas: a call's command is sent after the call was made, so it sees every write
// that ended before it. A command's span and its slow-command log belong to the call that found
// the batcher idle.

import { Batcher, type Settled } from '@sms-inbox/platform';
import type { Document } from 'mongodb';
import type { Model } from 'mongoose';
import { Histogram } from 'prom-client';

const batchSize = new Histogram({
  name: 'sms_inbox_db_batch_size',
  help: 'Calls served by one store command of a batched read or insert, by collection and operation',
  labelNames: ['collection', 'operation'] as const,
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
});

/**
 * A group commit of store commands on `collection`, each command's number of calls observed as
 * `sms_inbox_db_batch_size{collection, operation}`.
 */
function storeBatcher<I, O>(
  collection: string,
  operation: string,
  run: (inputs: I[]) => Promise<Settled<O>[]>,
): Batcher<I, O> {
  const labels = { collection, operation };
  return new Batcher(run, { onBatch: (size) => batchSize.observe(labels, size) });
}

/** The part of a collection the batched reads use (a driver or a mongoose collection). */
interface ReadCollection {
  readonly collectionName: string;
  find(filter: Document): { toArray(): Promise<Document[]> };
}

/** The part of a collection the batched inserts use. */
interface InsertCollection {
  readonly collectionName: string;
  insertMany(docs: Document[], options: { ordered: false }): Promise<unknown>;
}

/**
 * Finds documents by a key unique in the collection (`_id`, or another field with an index), one
 * key per call. By default the filter names only the key, so that the store uses that key's index;
 * the scope (the shop) is then checked on each document, so that a key of another shop is simply
 * not found. With `scopedIndex` the key is unique only within its scope and the index leads with
 * the scope (`{shop, phone}`): the calls are grouped by scope, one `find` per scope of a batch.
 */
export class KeyedReads<T extends object> {
  private readonly batcher: Batcher<{ key: string; scope?: string }, T | null>;

  constructor(
    collection: ReadCollection,
    options: { key?: string; scopeField?: string; scopedIndex?: boolean } = {},
  ) {
    const { key = '_id', scopeField = 'shop', scopedIndex = false } = options;
    const oneOrIn = (values: string[]) => (values.length === 1 ? values[0] : { $in: values });
    this.batcher = storeBatcher(collection.collectionName, `find by ${key}`, async (calls) => {
      const groups = new Map<string | undefined, Set<string>>();
      for (const c of calls) {
        const scope = scopedIndex ? c.scope : undefined;
        groups.set(scope, (groups.get(scope) ?? new Set()).add(c.key));
      }
      const found = await Promise.all(
        [...groups].map(([scope, keys]) =>
          collection
            .find({ ...(scope === undefined ? {} : { [scopeField]: scope }), [key]: oneOrIn([...keys]) })
            .toArray(),
        ),
      );
      const byKey = new Map<string, Document[]>();
      for (const doc of found.flat()) {
        const k = doc[key] as string;
        byKey.set(k, [...(byKey.get(k) ?? []), doc]);
      }
      return calls.map(({ key: k, scope }) => {
        const docs = byKey.get(k) ?? [];
        const doc = scope === undefined ? docs[0] : docs.find((d) => d[scopeField] === scope);
        return { ok: true, value: (doc as T | undefined) ?? null };
      });
    });
  }

  /** The document with this key (within `scope`, when given), or null. */
  find(key: string, scope?: string): Promise<T | null> {
    return this.batcher.call(scope === undefined ? { key } : { key, scope });
  }
}

/** A write error of one document of a batched insert: its own code (11000 for a repeated key). */
export class DocumentWriteError extends Error {
  override readonly name = 'DocumentWriteError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Inserts documents one per call, through the model's casting, defaults and validation (as
 * `Model.create` would), in unordered `insertMany` commands: each document's failure is its own.
 */
export class BatchedInserts<T> {
  private readonly batcher: Batcher<Document, void>;

  constructor(private readonly model: Model<T>) {
    const collection = model.collection as unknown as InsertCollection;
    this.batcher = storeBatcher(collection.collectionName, 'insert', (docs) =>
      eachOwnOutcome(docs.length, () => collection.insertMany(docs, { ordered: false })),
    );
  }

  /** Stores `record`; rejects with its own error (`isDuplicateKey` tells a repeated key). */
  async insert(record: T): Promise<void> {
    const doc = new this.model(record);
    await doc.validate();
    await this.batcher.call(doc.toObject({ versionKey: false }) as Document);
  }
}

/** The part of a collection the batched updates use. */
interface UpdateCollection {
  readonly collectionName: string;
  bulkWrite(
    operations: { updateOne: { filter: Document; update: Document } }[],
    options: { ordered: false },
  ): Promise<unknown>;
}

/**
 * Single-document updates whose callers need to know only that they were applied, not whether
 * they matched (a bulk write answers the matches as a total): one `updateOne` per call, in
 * unordered `bulkWrite` commands. Each call's failure is its own. For a write whose next step
 * depends on its own match (a compare-and-set), use the collection directly.
 */
export class BatchedUpdates {
  private readonly batcher: Batcher<{ filter: Document; update: Document }, void>;

  constructor(collection: UpdateCollection) {
    this.batcher = storeBatcher(collection.collectionName, 'update', (calls) =>
      eachOwnOutcome(calls.length, () =>
        collection.bulkWrite(
          calls.map(({ filter, update }) => ({ updateOne: { filter, update } })),
          { ordered: false },
        ),
      ),
    );
  }

  /** Applies `update` to the document `filter` matches, if any (none is not an error). */
  update(filter: Document, update: Document): Promise<void> {
    return this.batcher.call({ filter, update });
  }
}

/** Runs an unordered bulk command for `count` calls; each call gets its own outcome by position. */
async function eachOwnOutcome(count: number, command: () => Promise<unknown>): Promise<Settled<void>[]> {
  const ok: Settled<void> = { ok: true, value: undefined };
  try {
    await command();
    return Array.from({ length: count }, () => ok);
  } catch (err) {
    const failed = writeErrorsOf(err);
    if (!failed) throw err;
    return Array.from({ length: count }, (_, i) => {
      const error = failed.get(i);
      return error ? { ok: false, error } : ok;
    });
  }
}

/**
 * The documents an unordered bulk insert refused, by their position; null when the error is not
 * one of those (the command as a whole failed, or a write concern was not met: every call fails).
 */
function writeErrorsOf(err: unknown): Map<number, DocumentWriteError> | null {
  const e = err as {
    writeErrors?: unknown;
    writeConcernError?: unknown;
    errorResponse?: { writeConcernError?: unknown };
  };
  if (!e || typeof e !== 'object' || e.writeConcernError || e.errorResponse?.writeConcernError) return null;
  const list = Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors ? [e.writeErrors] : null;
  if (!list || list.length === 0) return null;
  const failed = new Map<number, DocumentWriteError>();
  for (const w of list as { index?: unknown; code?: unknown; errmsg?: unknown }[]) {
    if (typeof w.index !== 'number') return null;
    failed.set(w.index, new DocumentWriteError(Number(w.code), String(w.errmsg ?? 'write error')));
  }
  return failed;
}
