import { describe, expect, it, jest } from '@jest/globals';
import type { Document } from 'mongodb';
import mongoose from 'mongoose';
import { BatchedInserts, BatchedUpdates, KeyedReads } from './batching.js';

/** The end of the current turn, when a batcher that was idle sends what it was given. */
const turn = () => Promise.resolve();

describe('KeyedReads', () => {
  const docs: Document[] = [
    { _id: 'c1', shop: 'a.myshopify.com', n: 1 },
    { _id: 'c2', shop: 'b.myshopify.com', n: 2 },
  ];
  const collection = () => {
    const filters: Document[] = [];
    return {
      filters,
      collectionName: 'conversations',
      find(filter: Document) {
        filters.push(filter);
        const ids: string[] = filter._id.$in ?? [filter._id];
        return { toArray: async () => docs.filter((d) => ids.includes(d._id)) };
      },
    };
  };

  it('reads the keys of concurrent calls with one $in, each call answered with its own document', async () => {
    const c = collection();
    const reads = new KeyedReads<Document>(c);
    const first = reads.find('c1');
    await turn();
    const [a, b, missing, again] = await Promise.all([
      first,
      reads.find('c2'),
      reads.find('c9'),
      reads.find('c1'),
    ]);
    expect(c.filters).toEqual([{ _id: 'c1' }, { _id: { $in: ['c2', 'c9', 'c1'] } }]);
    expect([a?.n, b?.n, missing, again?.n]).toEqual([1, 2, null, 1]);
  });

  it("does not find another shop's document by its key", async () => {
    const reads = new KeyedReads<Document>(collection());
    await expect(reads.find('c2', 'a.myshopify.com')).resolves.toBeNull();
    await expect(reads.find('c2', 'b.myshopify.com')).resolves.toMatchObject({ n: 2 });
  });
});

describe('KeyedReads on a key unique within its shop', () => {
  it('reads with one find per shop, the shop in the filter, and answers each call from its own shop', async () => {
    const filters: Document[] = [];
    const people: Document[] = [
      { _id: 's1', shop: 'a.myshopify.com', phone: '+14155550100' },
      { _id: 's2', shop: 'b.myshopify.com', phone: '+14155550100' },
      { _id: 's3', shop: 'a.myshopify.com', phone: '+14155550101' },
    ];
    const reads = new KeyedReads<Document>(
      {
        collectionName: 'subscribers',
        find(filter: Document) {
          filters.push(filter);
          const phones: string[] = filter.phone.$in ?? [filter.phone];
          return {
            toArray: async () => people.filter((p) => p.shop === filter.shop && phones.includes(p.phone)),
          };
        },
      },
      { key: 'phone', scopedIndex: true },
    );
    const first = reads.find('+14155550100', 'a.myshopify.com');
    await turn();
    const rest = [
      reads.find('+14155550100', 'b.myshopify.com'),
      reads.find('+14155550101', 'a.myshopify.com'),
      reads.find('+14155550101', 'b.myshopify.com'),
    ];
    const answers = await Promise.all([first, ...rest]);
    expect(answers.map((a) => a?._id ?? null)).toEqual(['s1', 's2', 's3', null]);
    expect(filters).toEqual([
      { shop: 'a.myshopify.com', phone: '+14155550100' },
      { shop: 'b.myshopify.com', phone: { $in: ['+14155550100', '+14155550101'] } },
      { shop: 'a.myshopify.com', phone: '+14155550101' },
    ]);
  });
});

describe('BatchedUpdates', () => {
  it('sends concurrent updates as one unordered bulk write, and fails only the call whose update failed', async () => {
    const commands: { operations: Document[]; options: Document }[] = [];
    const updates = new BatchedUpdates({
      collectionName: 'outbound',
      async bulkWrite(operations, options) {
        commands.push({ operations, options });
        if (operations.length > 1) {
          throw Object.assign(new Error('bulk write failed'), {
            writeErrors: [{ index: 1, code: 2, errmsg: 'cannot apply $set' }],
          });
        }
      },
    });
    const first = updates.update({ _id: 'm1' }, { $set: { outbox: null } });
    await turn();
    const rest = [
      updates.update({ _id: 'm2', 'outbox.status': 'delivered' }, { $set: { outbox: null } }),
      updates.update({ _id: 'm3' }, { $set: { bad: 1 } }),
      updates.update({ _id: 'm4' }, { $set: { outbox: null } }),
    ];
    const outcomes = await Promise.allSettled([first, ...rest]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ code: 2 });
    expect(commands).toEqual([
      {
        operations: [{ updateOne: { filter: { _id: 'm1' }, update: { $set: { outbox: null } } } }],
        options: { ordered: false },
      },
      {
        operations: [
          {
            updateOne: {
              filter: { _id: 'm2', 'outbox.status': 'delivered' },
              update: { $set: { outbox: null } },
            },
          },
          { updateOne: { filter: { _id: 'm3' }, update: { $set: { bad: 1 } } } },
          { updateOne: { filter: { _id: 'm4' }, update: { $set: { outbox: null } } } },
        ],
        options: { ordered: false },
      },
    ]);
  });

  it('fails every call of a bulk write that failed as a whole', async () => {
    const updates = new BatchedUpdates({
      collectionName: 'outbound',
      bulkWrite: async () => {
        throw new Error('connection closed');
      },
    });
    await expect(updates.update({ _id: 'm1' }, { $set: { outbox: null } })).rejects.toThrow(
      'connection closed',
    );
  });
});

describe('BatchedInserts', () => {
  it('casts, defaults and validates as Model.create does, refusing an invalid document before it is sent, without a warning', async () => {
    const m = new mongoose.Mongoose();
    const Model = m.model(
      'Note',
      new m.Schema({ _id: String, text: { type: String, required: true }, n: { type: Number, default: 1 } }),
    );
    const sent: Document[][] = [];
    Object.defineProperty(Model, 'collection', {
      value: {
        collectionName: 'notes',
        insertMany: async (docs: Document[]) => {
          sent.push(docs);
        },
      },
    });
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const inserts = new BatchedInserts(
        Model as unknown as mongoose.Model<{ _id: string; text?: string; n?: number | string }>,
      );
      await inserts.insert({ _id: 'a', text: 'hello', n: '2' });
      await expect(inserts.insert({ _id: 'b' })).rejects.toMatchObject({ name: 'ValidationError' });
      await inserts.insert({ _id: 'c', text: 'again' });
      await new Promise((r) => setImmediate(r));
      expect(sent).toEqual([[{ _id: 'a', text: 'hello', n: 2 }], [{ _id: 'c', text: 'again', n: 1 }]]);
      expect(emitWarning).not.toHaveBeenCalled();
    } finally {
      emitWarning.mockRestore();
    }
  });
});
