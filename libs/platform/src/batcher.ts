// Group commit: many concurrent callers, one command. The calls made in one turn while no command
// is out go together at once; the calls made while a command is out go together in the next.
// A call alone goes at once, and under load a call waits at most for the one command in flight.
// Each call still gets its own answer or its own error. Nothing is held between commands, so a
// call's command is sent after the call was made and sees every write that ended before it: as
// right with any number of replicas as a call of its own. Used for the store's reads and inserts
// by key (`libs/mongo`) and for reads of another service over gRPC.

/** One call's outcome within its command. */
export type Settled<O> = { ok: true; value: O } | { ok: false; error: Error };

interface Waiting<I, O> {
  input: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

export interface BatcherOptions {
  /** The most calls one command takes (default 200). */
  maxBatch?: number;
  /** Told the number of calls of each command as it is sent (a metric). */
  onBatch?: (size: number) => void;
}

/**
 * Runs calls through `run`, one command at a time. `run` answers each input at its position;
 * when it throws, every call of that command gets the error.
 */
export class Batcher<I, O> {
  private queue: Waiting<I, O>[] = [];
  private running = false;
  private readonly maxBatch: number;

  constructor(
    private readonly run: (inputs: I[]) => Promise<Settled<O>[]>,
    private readonly options: BatcherOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 200;
  }

  call(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (this.running) return;
      this.running = true;
      // After the current turn, so that calls made together (a caller asking for two keys at
      // once) go in the first command instead of the second waiting for it.
      queueMicrotask(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        this.options.onBatch?.(batch.length);
        let results: Settled<O>[];
        try {
          results = await this.run(batch.map((w) => w.input));
        } catch (err) {
          for (const w of batch) w.reject(err);
          continue;
        }
        batch.forEach((w, i) => {
          const result = results[i];
          if (!result) w.reject(new Error('a batched command gave no answer for a call'));
          else if (result.ok) w.resolve(result.value);
          else w.reject(result.error);
        });
      }
    } finally {
      this.running = false;
    }
  }
}
