// One-at-a-time work per key within this process. The store's single-document writes are atomic
// (MongoDB's, and the local store's: docs/architecture.md, "The local store"); what still runs
// under this lock is a read, a decision in code and a write by `_id` that are not yet one
// conditional update, which keeps them right within one process only (docs/architecture.md,
// "Order and concurrency").
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.then(work, work);
    const tail = current.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await current;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
