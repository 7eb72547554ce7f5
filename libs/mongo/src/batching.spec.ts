import { describe, expect, it } from '@jest/globals';
import type { Document } from 'mongodb';
import { BatchedUpdates, Batcher, KeyedReads, type Settled } from './batching.js';

/** A command that answers when the test says so, recording what each command was given. */
function commands<I, O>(answer: (input: I) => Settled<O>) {
  const sent: I[][] = [];
  const open: (() => void)[] = [];
  const run = (inputs: I[]) =>
    new Promise<Settled<O>[]>((resolve) => {
      sent.push(inputs);
      open.push(() => resolve(inputs.map(answer)));
    });
  return { sent, run, finish: () => open.shift()?.() };
}

const tick = () => new Promise((r) => setImmediate(r));
/** The end of the current turn, when a batcher that was idle sends what it was given. */
const turn = () => Promise.resolve();

describe('Batcher', () => {
  it('sends a call made while nothing is out at once, alone', async () => {
    const c = commands((n: number) => ({ ok: true, value: n * 2 }));
    const batcher = new Batcher('things', 'find', c.run);
    const answer = batcher.call(1);
    await turn();
    expect(c.sent).toEqual([[1]]);
    c.finish();
    await expect(answer).resolves.toBe(2);
  });

  it('sends the calls made in one turn while nothing is out together, at once', async () => {
    const c = commands((n: number) => ({ ok: true, value: n * 2 }));
    const batcher = new Batcher('things', 'find', c.run);
    const answers = Promise.all([1, 2].map((n) => batcher.call(n)));
    await turn();
    expect(c.sent).toEqual([[1, 2]]);
    c.finish();
    await expect(answers).resolves.toEqual([2, 4]);
  });

  it('sends the calls made while a command is out together, in the next command', async () => {
    const c = commands((n: number) => ({ ok: true, value: n * 2 }));
    const batcher = new Batcher('things', 'find', c.run);
    const first = batcher.call(1);
    await turn();
    const answers = [first, ...[2, 3, 4].map((n) => batcher.call(n))];
    expect(c.sent).toEqual([[1]]);
    c.finish();
    await tick();
    expect(c.sent).toEqual([[1], [2, 3, 4]]);
    c.finish();
    await expect(Promise.all(answers)).resolves.toEqual([2, 4, 6, 8]);
  });

  it('puts at most maxBatch calls in one command', async () => {
    const c = commands((n: number) => ({ ok: true, value: n }));
    const batcher = new Batcher('things', 'find', c.run, 2);
    const first = batcher.call(1);
    await turn();
    const answers = [first, ...[2, 3, 4, 5].map((n) => batcher.call(n))];
    for (let i = 0; i < 3; i++) {
      c.finish();
      await tick();
    }
    await Promise.all(answers);
    expect(c.sent).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('gives each call its own failure, and the others of the command their answers', async () => {
    const c = commands(
      (n: number): Settled<number> =>
        n === 3 ? { ok: false, error: new Error('three refused') } : { ok: true, value: n },
    );
    const batcher = new Batcher('things', 'insert', c.run);
    const answers = [1, 2, 3].map((n) => batcher.call(n));
    c.finish();
    await tick();
    c.finish();
    await expect(answers[0]).resolves.toBe(1);
    await expect(answers[1]).resolves.toBe(2);
    await expect(answers[2]).rejects.toThrow('three refused');
  });

  it('fails every call of a command that fails, and goes on with the next', async () => {
    let failing = true;
    const batcher = new Batcher('things', 'find', async (inputs: number[]) => {
      await tick();
      if (failing) {
        failing = false;
        throw new Error('store unreachable');
      }
      return inputs.map((n) => ({ ok: true as const, value: n }));
    });
    const first = batcher.call(1);
    await turn();
    const second = batcher.call(2);
    await expect(first).rejects.toThrow('store unreachable');
    await expect(second).resolves.toBe(2);
    await expect(batcher.call(3)).resolves.toBe(3);
  });
});

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
