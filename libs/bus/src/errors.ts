// Failures a consumer should not retry: the message goes straight to the dead-letter stream.

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
