import type { ErrorCode } from '@cryptovault/contract';

const STATUS: Record<ErrorCode, number> = {
  VALIDATION_ERROR: 400,
  UNAUTHENTICATED: 401,
  TOTP_INVALID: 401,
  PASSKEY_INVALID: 401,
  FORBIDDEN: 403,
  CSRF_INVALID: 403,
  TOTP_REQUIRED: 403,
  STEP_UP_REQUIRED: 403,
  EMAIL_NOT_VERIFIED: 403,
  ACCOUNT_SUSPENDED: 403,
  ACCOUNT_FROZEN: 403,
  ADDRESS_BOOK_ONLY: 403,
  COUNTRY_BLOCKED: 451,
  TERMS_NOT_ACCEPTED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  IDEMPOTENCY_MISMATCH: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INSUFFICIENT_FUNDS: 422,
  PRICE_STALE: 422,
  PRICE_MOVED: 409,
  QUOTE_EXPIRED: 409,
  QUOTE_USED: 409,
  MIN_AMOUNT: 422,
  LIMIT_EXCEEDED: 422,
  INVALID_STATE: 422,
  TRIGGER_WOULD_FIRE_NOW: 422,
  RATE_LIMITED: 429,
  API_KEY_INVALID: 401,
  SIGNATURE_INVALID: 401,
  TIMESTAMP_OUT_OF_WINDOW: 401,
  NONCE_REUSED: 401,
  IP_NOT_ALLOWED: 403,
  SCOPE_NOT_ALLOWED: 403,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};

/** The one error type services throw. The error handler turns it into the contract's error body. */
export class AppError extends Error {
  readonly statusCode: number;
  /** The same refusal without the caller's balances, for a caller that may not read them (modules/ledger/insufficient.ts). */
  withoutBalances?: AppError;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Seconds, for RATE_LIMITED and UNAVAILABLE. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'AppError';
    this.statusCode = STATUS[code];
  }
}

export const notFound = (what = 'Resource'): AppError => new AppError('NOT_FOUND', `${what} not found`);
export const unauthenticated = (message = 'Authentication required'): AppError => new AppError('UNAUTHENTICATED', message);
export const forbidden = (message = 'You are not allowed to do this'): AppError => new AppError('FORBIDDEN', message);
export const validation = (message: string, details?: unknown): AppError => new AppError('VALIDATION_ERROR', message, details);
