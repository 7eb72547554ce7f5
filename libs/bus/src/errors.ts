// How a handler tells the consumer what to do with a failed message: a permanent failure goes
// straight to the dead-letter stream; a RetryAfter comes back after the delay it names (its own
// backoff, e.g. a provider's rate limit with jitter) instead of the consumer's fixed schedule.

export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  readonly permanent = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isPermanent(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { permanent?: unknown }).permanent === true;
}

export class RetryAfter extends Error {
  override readonly name = 'RetryAfter';
  constructor(
    message: string,
    readonly delayMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The redelivery delay a failure asks for, if it names one. */
export function retryDelayOf(err: unknown): number | undefined {
  return err instanceof RetryAfter && Number.isFinite(err.delayMs) ? Math.max(0, err.delayMs) : undefined;
}
