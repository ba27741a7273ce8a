// Every business refusal has a named kind; the API maps kinds to statuses in one
// place (api/errors.ts) and workflows throw ApplicationFailure with these as `type`.
export const ERROR_STATUS = {
  ValidationFailed: 400,
  Unauthenticated: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  InvalidTransition: 409,
  WindowClosed: 409,
  DeadlinePassed: 409,
  QuotaExceeded: 409,
  AlreadyVoted: 409,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  ServiceUnavailable: 503,
} as const;

export type ErrorKind = keyof typeof ERROR_STATUS;

export function isErrorKind(value: unknown): value is ErrorKind {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_STATUS, value);
}

/** A refusal raised outside workflows (api/, activities/), carried to the error middleware. */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
