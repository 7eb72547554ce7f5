import { describe, expect, it } from '@jest/globals';
import { Batcher, type Settled } from './batcher.js';

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
    const batcher = new Batcher(c.run);
    const answer = batcher.call(1);
    await turn();
    expect(c.sent).toEqual([[1]]);
    c.finish();
    await expect(answer).resolves.toBe(2);
  });

  it('sends the calls made in one turn while nothing is out together, at once', async () => {
    const c = commands((n: number) => ({ ok: true, value: n * 2 }));
    const batcher = new Batcher(c.run);
    const answers = Promise.all([1, 2].map((n) => batcher.call(n)));
    await turn();
    expect(c.sent).toEqual([[1, 2]]);
    c.finish();
    await expect(answers).resolves.toEqual([2, 4]);
  });

  it('sends the calls made while a command is out together, in the next command', async () => {
    const c = commands((n: number) => ({ ok: true, value: n * 2 }));
    const batcher = new Batcher(c.run);
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
    const batcher = new Batcher(c.run, { maxBatch: 2 });
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
    const batcher = new Batcher(c.run);
    const answers = [1, 2, 3].map((n) => batcher.call(n));
    c.finish();
    await tick();
    c.finish();
    await expect(answers[0]).resolves.toBe(1);
    await expect(answers[1]).resolves.toBe(2);
    await expect(answers[2]).rejects.toThrow('three refused');
  });

  it('tells onBatch the size of each command', async () => {
    const c = commands((n: number) => ({ ok: true, value: n }));
    const sizes: number[] = [];
    const batcher = new Batcher(c.run, { onBatch: (n) => sizes.push(n) });
    const first = batcher.call(1);
    await turn();
    const rest = [2, 3].map((n) => batcher.call(n));
    c.finish();
    await tick();
    c.finish();
    await Promise.all([first, ...rest]);
    expect(sizes).toEqual([1, 2]);
  });

  it('fails every call of a command that fails, and goes on with the next', async () => {
    let failing = true;
    const batcher = new Batcher(async (inputs: number[]) => {
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
