// Sends before status bookkeeping. A burst of texts (thousands of scheduled replies released at
// once) shares the machine with the status callbacks of its own first texts, and each callback
// costs delivery and the conversation service about as much as a send: a ledger read and write, a
// publish, the message's write and its live update. While `busyAt` or more sends are being worked
// on (a send waiting for its number's pacing slot does not count), a status report waits until
// fewer are, at most `maxWaitMs`. The waiting reports hold their consumer's slots, so no more
// are pulled meanwhile: the rest wait in JetStream, nothing is lost and one message's reports
// keep their order. A burst's texts go out sooner; its statuses show up a little later.
import { Counter } from 'prom-client';

const deferred = new Counter({
  name: 'sms_inbox_delivery_status_deferred_total',
  help: 'Provider status reports that waited for busy sends to thin out before they were applied',
});

/** Runs a wait that is no work (a send waiting for its number's pacing slot). */
export type Idle = <W>(wait: () => Promise<W>) => Promise<W>;

export class SendsFirst {
  private working = 0;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly options: { busyAt: number; maxWaitMs: number }) {}

  /** Runs one send's work, counted as worked on except while `idle` says it only waits. */
  async sending<T>(work: (idle: Idle) => Promise<T>): Promise<T> {
    this.begin();
    try {
      return await work(async (wait) => {
        this.end();
        try {
          return await wait();
        } finally {
          this.begin();
        }
      });
    } finally {
      this.end();
    }
  }

  /** Resolves at once unless sends are busy; then once they thin out, or after `maxWaitMs`. */
  async turn(): Promise<void> {
    if (!this.busy()) return;
    deferred.inc();
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.options.maxWaitMs);
      this.waiters.add(done);
    });
  }

  private busy(): boolean {
    return this.options.maxWaitMs > 0 && this.working >= this.options.busyAt;
  }

  private begin(): void {
    this.working++;
  }

  private end(): void {
    this.working--;
    if (!this.busy()) for (const wake of [...this.waiters]) wake();
  }
}
