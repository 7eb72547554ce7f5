// The store conformance suite: the promises of MongoDB that our repositories rely on, checked
// against any MongoDB-wire server. With MONGODB_URI set it runs there (MongoDB 7/8 pass it too);
// otherwise it starts the local store (our patched FerretDB on PostgreSQL, libs/devstack).
// docs/architecture.md ("The local store") says which repository relies on which promise.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { type Collection, type Db, type Document, MongoClient, ObjectId } from 'mongodb';
import { type FerretDb, startFerretDb, tempDir } from '../src/index.js';
import { compareValues, type Filter, matches, sortDocuments } from './mongo-semantics.js';

let ferret: FerretDb | undefined;
let storeUri: string;
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    ferret = await startFerretDb({ logFile: `${tempDir('conformance')}/ferretdb.log` });
    uri = ferret.uri;
  }
  storeUri = uri;
  // A command that gets no answer fails the test instead of hanging the suite (see 'load').
  client = await MongoClient.connect(uri, { maxPoolSize: 32, socketTimeoutMS: 30_000 });
  db = client.db(`conformance_${Date.now().toString(36)}`);
});

afterAll(async () => {
  await db?.dropDatabase().catch(() => undefined);
  await client?.close();
  await ferret?.stop();
});

/** Documents with string ids, as our repositories store them. */
type Doc = Document & { _id: string };

const workers = <T>(n: number, work: (worker: number) => Promise<T>) =>
  Promise.all(Array.from({ length: n }, (_, i) => work(i)));

describe('single-document atomicity', () => {
  it('never loses a count: 16 workers doing 25 $inc each on one document keep all 400', async () => {
    const col = db.collection<{ _id: string; n: number }>('counters');
    await col.insertOne({ _id: 'c', n: 0 });
    await workers(16, async () => {
      for (let i = 0; i < 25; i++) await col.updateOne({ _id: 'c' }, { $inc: { n: 1 } });
    });
    expect(await col.findOne({ _id: 'c' })).toEqual({ _id: 'c', n: 400 });
  });

  it('never loses a count in findOneAndUpdate either, and each caller sees its own value', async () => {
    const col = db.collection<{ _id: string; n: number }>('sequences');
    await col.insertOne({ _id: 's', n: 0 });
    const seen = (
      await workers(8, async () => {
        const mine: number[] = [];
        for (let i = 0; i < 25; i++) {
          const after = await col.findOneAndUpdate(
            { _id: 's' },
            { $inc: { n: 1 } },
            { returnDocument: 'after' },
          );
          mine.push(after!.n);
        }
        return mine;
      })
    ).flat();
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it('gives each job to exactly one of 16 workers claiming with findOneAndUpdate', async () => {
    const jobs = db.collection<{ _id: string; state: string; dueAt: Date; by?: number }>('jobs');
    await jobs.createIndex({ state: 1, dueAt: 1 });
    await jobs.insertMany(
      Array.from({ length: 64 }, (_, i) => ({
        _id: `job${i}`,
        state: 'waiting',
        dueAt: new Date(1_000 + i),
      })),
    );
    const claims = (
      await workers(16, async (worker) => {
        const mine: string[] = [];
        for (;;) {
          const job = await jobs.findOneAndUpdate(
            { state: 'waiting' },
            { $set: { state: 'running', by: worker } },
            { sort: { dueAt: 1 }, returnDocument: 'after' },
          );
          if (!job) return mine;
          expect(job.by).toBe(worker);
          mine.push(job._id);
        }
      })
    ).flat();
    expect(claims.sort()).toEqual(Array.from({ length: 64 }, (_, i) => `job${i}`).sort());
    expect(await jobs.countDocuments({ state: 'running' })).toBe(64);
  });

  it('lets exactly one of 16 contenders win a conditional update on {_id, revision}, round after round', async () => {
    const col = db.collection<{ _id: string; revision: number; owner: number | null }>('revisions');
    await col.insertOne({ _id: 'r', revision: 1, owner: null });
    for (let round = 1; round <= 10; round++) {
      const won = await workers(16, async (worker) => {
        const res = await col.updateOne(
          { _id: 'r', revision: round },
          { $set: { owner: worker }, $inc: { revision: 1 } },
        );
        return res.modifiedCount;
      });
      expect(won.reduce((a, b) => a + b, 0)).toBe(1);
      const stored = await col.findOne({ _id: 'r' });
      expect(stored!.revision).toBe(round + 1);
      expect(won[stored!.owner!]).toBe(1);
    }
  });

  it('deletes a claimed document once: of 16 findOneAndDelete calls on it, one gets it', async () => {
    const col = db.collection<{ _id: string; kind: string }>('tokens');
    await col.insertOne({ _id: 't', kind: 'once' });
    const got = await workers(16, () => col.findOneAndDelete({ kind: 'once' }));
    expect(got.filter((d) => d !== null)).toHaveLength(1);
  });

  it('does not delete a document that stopped matching between the read and the delete', async () => {
    // Each round, 20 'stale' documents are deleted by one deleteMany while 8 writers rescue them
    // one by one: every document ends either deleted or rescued (and then still stored), never both.
    const col = db.collection<{ _id: string; state: string }>('guarded');
    for (let round = 0; round < 10; round++) {
      await col.deleteMany({});
      await col.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: `g${i}`, state: 'stale' })));
      const [deleted, rescued] = await Promise.all([
        col.deleteMany({ state: 'stale' }).then((r) => r.deletedCount),
        workers(8, async (w) => {
          const mine: string[] = [];
          for (let i = w; i < 20; i += 8) {
            const res = await col.updateOne({ _id: `g${i}`, state: 'stale' }, { $set: { state: 'rescued' } });
            if (res.modifiedCount === 1) mine.push(`g${i}`);
          }
          return mine;
        }).then((r) => r.flat()),
      ]);
      const stored = (await col.find().toArray()).map((d) => d._id).sort();
      expect(stored).toEqual([...rescued].sort());
      expect(deleted + rescued.length).toBe(20);
    }
  });
});

describe('load', () => {
  it('answers 400 concurrent updates and findAndModify calls, more than the store has connections', async () => {
    // Six services with a pool of 100 each can have that many commands out at once. The local
    // store once deadlocked here: each write waited for a database connection while its own read
    // held one (docs/architecture.md, "The local store", 11).
    const many = await MongoClient.connect(storeUri, { maxPoolSize: 400, socketTimeoutMS: 30_000 });
    try {
      const col = many.db(db.databaseName).collection<{ _id: string; n: number }>('busy');
      await col.insertMany(Array.from({ length: 400 }, (_, i) => ({ _id: `b${i}`, n: 0 })));
      for (let round = 0; round < 3; round++) {
        await workers(400, (i) => col.updateOne({ _id: `b${i}` }, { $inc: { n: 1 } }));
        await workers(400, (i) => col.findOneAndUpdate({ _id: `b${i}` }, { $inc: { n: 1 } }));
        await workers(400, (i) =>
          col.updateMany({ _id: { $in: [`b${i}`, `b${399 - i}`] } }, { $inc: { n: 1 } }),
        );
      }
      expect(await col.countDocuments({ n: 12 })).toBe(400);
    } finally {
      await many.close();
    }
  }, 60_000);
});

describe('unique indexes', () => {
  let col: Collection<{ _id: string; shop: string; phone: string; note?: string }>;

  beforeAll(async () => {
    col = db.collection('people');
    await col.createIndex({ shop: 1, phone: 1 }, { unique: true });
    await col.insertOne({ _id: 'p1', shop: 'a', phone: '+1' });
    await col.insertOne({ _id: 'p2', shop: 'a', phone: '+2' });
  });

  it('answers 11000 to an insert that repeats a key', async () => {
    await expect(col.insertOne({ _id: 'p3', shop: 'a', phone: '+1' })).rejects.toMatchObject({ code: 11000 });
  });

  it('stores every new document of an unordered insertMany and answers 11000 for each repeat by its index', async () => {
    // The batched inserts (libs/mongo, batching.ts) give each call its own outcome from these.
    const err = await col
      .insertMany(
        [
          { _id: 'm1', shop: 'm', phone: '+1' },
          { _id: 'p1', shop: 'm', phone: '+2' },
          { _id: 'm2', shop: 'm', phone: '+3' },
          { _id: 'm1', shop: 'm', phone: '+4' },
          { _id: 'm3', shop: 'a', phone: '+1' },
          { _id: 'm4', shop: 'm', phone: '+5' },
        ],
        { ordered: false },
      )
      .catch((e: unknown) => e as { code?: number; writeErrors?: { index: number; code: number }[] });
    expect(err).toMatchObject({ code: 11000 });
    const refused = [(err as { writeErrors: { index: number; code: number }[] }).writeErrors].flat();
    expect(refused.map((w) => [w.index, w.code])).toEqual([
      [1, 11000],
      [3, 11000],
      [4, 11000],
    ]);
    expect(await col.find({ shop: 'm' }).sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'm1', shop: 'm', phone: '+1' },
      { _id: 'm2', shop: 'm', phone: '+3' },
      { _id: 'm4', shop: 'm', phone: '+5' },
    ]);
  });

  it('answers 11000 to an update that would repeat a key, and keeps the document', async () => {
    await expect(col.updateOne({ _id: 'p2' }, { $set: { phone: '+1' } })).rejects.toMatchObject({
      code: 11000,
    });
    expect(await col.findOne({ _id: 'p2' })).toEqual({ _id: 'p2', shop: 'a', phone: '+2' });
  });

  it('answers 11000 to an upsert whose new document would repeat a key', async () => {
    await expect(
      col.updateOne({ _id: 'p9' }, { $set: { shop: 'a', phone: '+1' } }, { upsert: true }),
    ).rejects.toMatchObject({ code: 11000 });
    expect(await col.findOne({ _id: 'p9' })).toBeNull();
  });

  it('makes one document of 16 concurrent upserts on one key, each of them answered without error', async () => {
    const results = await workers(16, (w) =>
      col.updateOne(
        { shop: 'b', phone: '+5' },
        { $setOnInsert: { _id: `u${w}` }, $set: { note: `w${w}` } },
        { upsert: true },
      ),
    );
    expect(results.filter((r) => r.upsertedCount === 1)).toHaveLength(1);
    expect(await col.countDocuments({ shop: 'b', phone: '+5' })).toBe(1);
  });
});

// ---- queries: the store answers exactly what MongoDB's rules give over the same documents ----

const FIELDS = ['x', 'y', 's', 'a.b'] as const;
const stamp = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms * 60_000);
const oid = (n: number) => new ObjectId(n.toString(16).padStart(24, '0'));

/** The value kinds we store: strings, numbers, dates, ObjectIds, booleans, null and missing. */
const scalar = fc.oneof(
  fc.constantFrom(null),
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(0.5, -2.5, 3.25, 2 ** 40, -0, -1e300, 1e-300),
  fc.constantFrom(
    '',
    'a',
    'ab',
    'b',
    'B',
    'é',
    'z',
    '😀',
    'ﬀ',
    'k',
    '\u212A',
    's',
    'S',
    '\u017F',
    'Grace Hopper1',
    'a.b',
  ),
  fc.integer({ min: 0, max: 6 }).map(stamp),
  fc.integer({ min: 1, max: 5 }).map(oid),
  fc.boolean(),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 4 });

const documentArb = fc.record(
  {
    x: maybe(scalar),
    y: maybe(scalar),
    s: maybe(scalar),
    a: maybe(fc.oneof(scalar, fc.record({ b: maybe(scalar) }, { requiredKeys: [] }))),
  },
  { requiredKeys: [] },
);

const fieldArb = fc.constantFrom(...FIELDS);
const conditionArb: fc.Arbitrary<Filter> = fc.oneof(
  fc.record({ f: fieldArb, v: scalar }).map(({ f, v }) => ({ [f]: v })),
  fc
    .record({ f: fieldArb, op: fc.constantFrom('$eq', '$ne', '$gt', '$gte', '$lt', '$lte'), v: scalar })
    .map(({ f, op, v }) => ({ [f]: { [op]: v } })),
  fc.record({ f: fieldArb, lo: scalar, hi: scalar }).map(({ f, lo, hi }) => ({ [f]: { $gte: lo, $lt: hi } })),
  fc
    .record({ f: fieldArb, op: fc.constantFrom('$in', '$nin'), vs: fc.array(scalar, { maxLength: 3 }) })
    .map(({ f, op, vs }) => ({ [f]: { [op]: vs } })),
  fc
    .record({
      f: fieldArb,
      pattern: fc.constantFrom(
        'a',
        'b',
        'ab',
        'k',
        's',
        'é',
        '^a',
        '^B',
        '^grace',
        'hopper1',
        '\\.',
        'a\\.b',
        '1',
        '',
      ),
      flags: fc.constantFrom('', 'i'),
      form: fc.constantFrom('literal', 'operator'),
    })
    .map(({ f, pattern, flags, form }) =>
      form === 'literal'
        ? { [f]: new RegExp(pattern, flags) }
        : { [f]: { $regex: pattern, $options: flags } },
    ),
  fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 3 }).map((ids) => ({
    _id: { $in: ids.map((i) => `d${String(i).padStart(2, '0')}`) },
  })),
);
const filterArb: fc.Arbitrary<Filter> = fc.oneof(
  fc.constant({}),
  conditionArb,
  fc.array(conditionArb, { minLength: 2, maxLength: 3 }).map((cs) => Object.assign({}, ...cs)),
  fc.array(conditionArb, { minLength: 1, maxLength: 3 }).map((cs) => ({ $or: cs })),
  fc
    .tuple(conditionArb, fc.array(conditionArb, { minLength: 1, maxLength: 2 }))
    .map(([c, or]) => ({ $and: [c, { $or: or }] })),
);
const sortArb = fc
  .uniqueArray(
    fc.record({ f: fc.constantFrom('x', 'y', 's'), dir: fc.constantFrom(1, -1) as fc.Arbitrary<1 | -1> }),
    {
      maxLength: 2,
      selector: (s) => s.f,
    },
  )
  .map(
    (keys) =>
      Object.fromEntries([...keys.map(({ f, dir }) => [f, dir]), ['_id', 1]]) as Record<string, 1 | -1>,
  );

describe('queries', () => {
  let col: Collection<Doc>;

  beforeAll(async () => {
    col = db.collection('shapes');
    // Indexes like the repositories' (equality prefix, then sort keys); the answers must not
    // depend on them.
    await col.createIndex({ x: 1, y: -1, _id: 1 });
    await col.createIndex({ s: 1 });
    await col.createIndex({ 'a.b': 1 });
  });

  it('finds, sorts, skips, limits and counts exactly as MongoDB evaluates them, over documents of mixed shapes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(documentArb, { minLength: 0, maxLength: 40 }),
        fc.array(fc.record({ filter: filterArb, sort: sortArb, skip: fc.nat(4), limit: fc.nat(8) }), {
          minLength: 1,
          maxLength: 6,
        }),
        async (shapes, queries) => {
          const docs = shapes.map((d, i) => ({ _id: `d${String(i).padStart(2, '0')}`, ...d }) as Doc);
          await col.deleteMany({});
          if (docs.length) await col.insertMany(docs);
          for (const { filter, sort, skip, limit } of queries) {
            const expected = sortDocuments(
              docs.filter((d) => matches(d, filter)),
              sort,
            )
              .slice(skip, limit ? skip + limit : undefined)
              .map((d) => d._id);
            const found = await col.find(filter).sort(sort).skip(skip).limit(limit).toArray();
            expect({ filter, sort, skip, limit, ids: found.map((d) => d._id) }).toEqual({
              filter,
              sort,
              skip,
              limit,
              ids: expected,
            });
            expect({ filter, count: await col.countDocuments(filter) }).toEqual({
              filter,
              count: docs.filter((d) => matches(d, filter)).length,
            });
          }
        },
      ),
      { numRuns: Number(process.env.CONFORMANCE_RUNS ?? 200), seed: seedFromEnv() },
    );
  });

  it('orders values of different types as MongoDB does (null < numbers < strings < ObjectIds < booleans < dates)', async () => {
    const values = [true, stamp(1), 'b', 2, null, oid(3), 'a', -1.5, false, stamp(0), oid(1)];
    await col.deleteMany({});
    await col.insertMany(values.map((x, i) => ({ _id: `t${i}`, x })));
    await col.insertOne({ _id: 'missing' });
    const stored = await col.find({}).sort({ x: 1, _id: 1 }).toArray();
    const expected = [...values.map((x, i) => ({ _id: `t${i}`, x })), { _id: 'missing' }].sort(
      (a, b) => compareValues((a as Document).x, (b as Document).x) || (a._id < b._id ? -1 : 1),
    );
    expect(stored.map((d) => d._id)).toEqual(expected.map((d) => d._id));
    expect(stored.map((d) => d._id)).toEqual([
      'missing',
      't4',
      't7',
      't3',
      't6',
      't2',
      't10',
      't5',
      't8',
      't0',
      't9',
      't1',
    ]);
  });

  it('finds and orders documents alike whether they were stored before their index or written since', async () => {
    // The local store fills an index's key column from the stored documents when the index is
    // created, and each write sets it since: both must key every value the same way.
    const values = [
      true,
      stamp(1),
      'b',
      2,
      null,
      oid(3),
      'é\u{1F600}',
      -1.5,
      false,
      stamp(0),
      2 ** 53,
      -0,
      0.1,
    ];
    const late = db.collection<Doc>('late_index');
    await late.insertMany(values.map((x, i) => ({ _id: `t${i}`, x, v: 0 })));
    await late.insertOne({ _id: 'missing', v: 0 });
    await late.createIndex({ x: 1 });
    const expected = [...values.map((x, i) => ({ _id: `t${i}`, x })), { _id: 'missing' }]
      .sort((a, b) => compareValues((a as Document).x, (b as Document).x) || (a._id < b._id ? -1 : 1))
      .map((d) => d._id);
    const docs: Doc[] = [...values.map((x, i) => ({ _id: `t${i}`, x }) as Doc), { _id: 'missing' } as Doc];
    const check = async () => {
      expect((await late.find({}).sort({ x: 1, _id: 1 }).toArray()).map((d) => d._id)).toEqual(expected);
      for (const x of values) {
        for (const filter of [{ x }, { x: { $gte: x } }, { x: { $lt: x } }] as Filter[]) {
          const found = (await late.find(filter).toArray()).map((d) => d._id).sort();
          const wanted = docs
            .filter((d) => matches(d, filter))
            .map((d) => d._id)
            .sort();
          expect({ filter, found }).toEqual({ filter, found: wanted });
        }
      }
    };
    await check();
    await late.updateMany({}, { $inc: { v: 1 } });
    await check();
  });
});

function seedFromEnv(): number | undefined {
  const seed = process.env.FUZZ_SEED;
  return seed ? Number(seed) : undefined;
}

// ---- the inbox's queries are served by indexes ----

/** Whether an explain output shows an index serving the query and no full scan. */
function usesIndex(explain: Document): boolean {
  const text = JSON.stringify(explain);
  return (
    /IXSCAN|IDHACK|EXPRESS_IXSCAN|"Index (Only )?Scan"|"Bitmap Index Scan"/.test(text) &&
    !/COLLSCAN|"Seq Scan"/.test(text)
  );
}

describe('explain', () => {
  let conversations: Collection<Doc>;
  let messages: Collection<Doc>;

  beforeAll(async () => {
    // The conversation service's collections and indexes (services/conversation/src/repositories).
    conversations = db.collection('inbox_conversations');
    messages = db.collection('inbox_messages');
    await conversations.createIndex({ shop: 1, subscriberId: 1 }, { unique: true });
    await conversations.createIndex({ shop: 1, status: 1, touchedAt: -1, _id: -1 });
    await conversations.createIndex({ shop: 1, touchedAt: -1, _id: -1 });
    await messages.createIndex({ shop: 1, conversationId: 1, createdAt: 1, _id: 1 });
    const statuses = ['unresolved', 'resolved', 'opted_out'];
    await conversations.insertMany(
      Array.from({ length: 2_000 }, (_, i) => ({
        _id: `c${i}`,
        shop: `shop${i % 20}.myshopify.com`,
        subscriberId: `s${i}`,
        status: statuses[i % 3],
        touchedAt: stamp(i),
        subscriber: { phone: `+1415555${String(i).padStart(4, '0')}`, firstName: `Name${i}` },
      })),
    );
    await messages.insertMany(
      Array.from({ length: 2_000 }, (_, i) => ({
        _id: `m${i}`,
        shop: 'shop0.myshopify.com',
        conversationId: `c${i % 50}`,
        createdAt: stamp(i),
      })),
    );
  });

  const shop = 'shop3.myshopify.com';

  it('serves the inbox list, newest activity first, from an index', async () => {
    const explain = await conversations.find({ shop }).sort({ touchedAt: -1, _id: -1 }).limit(20).explain();
    expect(usesIndex(explain)).toBe(true);
  });

  it('serves the inbox list filtered by status, with its keyset cursor, from an index', async () => {
    const at = stamp(1000);
    const explain = await conversations
      .find({
        shop,
        status: 'unresolved',
        $and: [{ $or: [{ touchedAt: { $lt: at } }, { touchedAt: at, _id: { $lt: 'c999' } }] }],
      })
      .sort({ touchedAt: -1, _id: -1 })
      .limit(20)
      .explain();
    expect(usesIndex(explain)).toBe(true);
  });

  it('serves the unresolved count from an index', async () => {
    const explain = await conversations
      .aggregate([{ $match: { shop, status: 'unresolved' } }, { $count: 'n' }])
      .explain();
    expect(usesIndex(explain)).toBe(true);
  });

  it('serves a page of a conversation history from an index', async () => {
    const explain = await messages
      .find({ shop: 'shop0.myshopify.com', conversationId: 'c7', createdAt: { $gt: stamp(100) } })
      .sort({ createdAt: 1, _id: 1 })
      .limit(50)
      .explain();
    expect(usesIndex(explain)).toBe(true);
  });

  it('looks a document up by _id through an index', async () => {
    expect(usesIndex(await conversations.find({ _id: 'c42' }).explain())).toBe(true);
  });

  it('looks up a batched read of keys unique within a shop (shop, then key $in) through an index', async () => {
    const subscriberIds = Array.from({ length: 8 }, (_, i) => `s${3 + i * 20}`);
    const explain = await conversations.find({ shop, subscriberId: { $in: subscriberIds } }).explain();
    expect(usesIndex(explain)).toBe(true);
  });

  it('looks the documents of a batched read (`_id` $in, libs/mongo batching.ts) up through an index', async () => {
    const ids = Array.from({ length: 16 }, (_, i) => `c${i * 97}`);
    expect(usesIndex(await conversations.find({ _id: { $in: ids } }).explain())).toBe(true);
  });
});
