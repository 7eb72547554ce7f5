// One-at-a-time work per key within this process. FerretDB 1.x applies an update by reading the
// document, changing it and writing it back without a lock in between, so two concurrent updates
// of one document can lose one of them (seen here: a STOP's opt-out overwritten by a concurrent
// update of the same conversation). Repositories run every update of a document under its key.
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
