// countUnresolved: callers arriving while a count runs share the next one, and never get a
// count that started before they asked.
import type { Connection } from '@sms-inbox/mongo';
import { ConversationRepository } from './conversation.repository.js';

/** A repository whose counts are started by hand: `started` holds each count's resolver. */
function repositoryWithManualCounts() {
  const connection = {
    model: () => ({ collection: { collectionName: 'conversations' } }),
  } as unknown as Connection;
  const repo = new ConversationRepository(connection);
  const started: Array<(n: number) => void> = [];
  repo.countByStatus = () => new Promise<number>((resolve) => started.push(resolve));
  return { repo, started };
}

it('starts a count at once when none runs', async () => {
  const { repo, started } = repositoryWithManualCounts();
  const count = repo.countUnresolved('a.myshopify.com');
  expect(started).toHaveLength(1);
  started[0]!(3);
  await expect(count).resolves.toBe(3);
});

it('gives callers that arrive during a count the next one, shared', async () => {
  const { repo, started } = repositoryWithManualCounts();
  const first = repo.countUnresolved('a.myshopify.com');
  const second = repo.countUnresolved('a.myshopify.com');
  const third = repo.countUnresolved('a.myshopify.com');
  expect(started).toHaveLength(1);
  started[0]!(1);
  await expect(first).resolves.toBe(1);
  await new Promise((r) => setImmediate(r));
  // Only now, after the first ended, does the shared second count start.
  expect(started).toHaveLength(2);
  started[1]!(2);
  await expect(Promise.all([second, third])).resolves.toEqual([2, 2]);
});

it('keeps shops apart', async () => {
  const { repo, started } = repositoryWithManualCounts();
  const a = repo.countUnresolved('a.myshopify.com');
  const b = repo.countUnresolved('b.myshopify.com');
  expect(started).toHaveLength(2);
  started[0]!(1);
  started[1]!(5);
  await expect(Promise.all([a, b])).resolves.toEqual([1, 5]);
});

it('starts again after a failed count', async () => {
  const { repo, started } = repositoryWithManualCounts();
  let fail: (err: Error) => void = () => {};
  repo.countByStatus = () => new Promise<number>((_, reject) => (fail = reject));
  const failing = repo.countUnresolved('a.myshopify.com');
  repo.countByStatus = () => new Promise<number>((resolve) => started.push(resolve));
  const next = repo.countUnresolved('a.myshopify.com');
  fail(new Error('database down'));
  await expect(failing).rejects.toThrow('database down');
  await new Promise((r) => setImmediate(r));
  started[0]!(4);
  await expect(next).resolves.toBe(4);
});
