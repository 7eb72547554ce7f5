// Sending-rate rules, pure: how long a send must wait for its number's next slot, and how long
// a retryable provider failure waits before the next attempt.

/**
 * Per-number pacing: each sending number gets one slot every 1/rate seconds (Twilio long codes
 * send one segment a second, toll-free three, short codes a hundred or more). A reservation
 * is made at once, so concurrent sends for one number line up instead of racing.
 */
export class NumberPacer {
  private readonly nextFree = new Map<string, number>();
  private readonly intervalMs: number;

  constructor(ratePerSecond: number) {
    if (!(ratePerSecond > 0)) throw new RangeError('the sending rate must be positive');
    this.intervalMs = 1000 / ratePerSecond;
  }

  /** Reserves the number's next slot; returns how long to wait for it (0: now). */
  reserve(number: string, nowMs: number): number {
    const slot = Math.max(nowMs, this.nextFree.get(number) ?? 0);
    this.nextFree.set(number, slot + this.intervalMs);
    if (this.nextFree.size > 10_000) this.forgetIdle(nowMs);
    return slot - nowMs;
  }

  private forgetIdle(nowMs: number): void {
    for (const [number, next] of this.nextFree) if (next <= nowMs) this.nextFree.delete(number);
  }
}

/**
 * Exponential backoff with jitter: attempt n (1-based) waits a random time between half and
 * all of min(cap, base·2^(n-1)), so many failed sends do not come back in one wave.
 */
export function retryDelayMs(
  attempt: number,
  options: { baseMs: number; capMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
