// Typed application errors. Each carries a stable snake_case code and a kind; the edges
// (HTTP error mapper, gRPC server/client helpers) map the kind once, nowhere else.

export const ErrorKind = {
  invalid: 'invalid',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
  notFound: 'not_found',
  conflict: 'conflict',
  unprocessable: 'unprocessable',
  unsupportedMediaType: 'unsupported_media_type',
  payloadTooLarge: 'payload_too_large',
  tooManyRequests: 'too_many_requests',
  unavailable: 'unavailable',
  timeout: 'timeout',
  internal: 'internal',
} as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

export interface AppErrorOptions {
  cause?: unknown;
  /** Extra fields placed beside `code` and `message` in the API's error body. */
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  override readonly name: string = 'AppError';
  readonly details: Record<string, unknown> | undefined;

  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.details = options.details;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

export const invalid = (code: string, message: string, options?: AppErrorOptions) =>
  new AppError(ErrorKind.invalid, code, message, options);
export const notFound = (code: string, message: string, options?: AppErrorOptions) =>
  new AppError(ErrorKind.notFound, code, message, options);
export const conflict = (code: string, message: string, options?: AppErrorOptions) =>
  new AppError(ErrorKind.conflict, code, message, options);
export const unauthenticated = (code: string, message: string, options?: AppErrorOptions) =>
  new AppError(ErrorKind.unauthenticated, code, message, options);
export const forbidden = (code: string, message: string, options?: AppErrorOptions) =>
  new AppError(ErrorKind.forbidden, code, message, options);
export const unavailable = (code: string, message: string, options?: AppErrorOptions) =>
  new AppError(ErrorKind.unavailable, code, message, options);

/** HTTP status for each kind: the only place that decides it. */
export const httpStatusOf: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  unsupported_media_type: 415,
  payload_too_large: 413,
  too_many_requests: 429,
  unavailable: 503,
  timeout: 504,
  internal: 500,
};
