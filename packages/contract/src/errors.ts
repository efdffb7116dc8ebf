import { z } from 'zod';

/** Every error code a client may see, with its HTTP status in the API's error handler (apps/api/src/platform/errors.ts). */
export const ERROR_CODES = [
  'VALIDATION_ERROR',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'CSRF_INVALID',
  'TOTP_REQUIRED',
  'TOTP_INVALID',
  'PASSKEY_INVALID',
  'STEP_UP_REQUIRED',
  'EMAIL_NOT_VERIFIED',
  'ACCOUNT_SUSPENDED',
  'ACCOUNT_FROZEN',
  'ADDRESS_BOOK_ONLY',
  'COUNTRY_BLOCKED',
  'TERMS_NOT_ACCEPTED',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'CONFLICT',
  'IDEMPOTENCY_MISMATCH',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'INSUFFICIENT_FUNDS',
  'PRICE_STALE',
  'PRICE_MOVED',
  'QUOTE_EXPIRED',
  'QUOTE_USED',
  'MIN_AMOUNT',
  'LIMIT_EXCEEDED',
  'INVALID_STATE',
  'TRIGGER_WOULD_FIRE_NOW',
  'RATE_LIMITED',
  // API keys (docs/api-keys.md)
  'API_KEY_INVALID',
  'SIGNATURE_INVALID',
  'TIMESTAMP_OUT_OF_WINDOW',
  'NONCE_REUSED',
  'IP_NOT_ALLOWED',
  'SCOPE_NOT_ALLOWED',
  'INTERNAL',
  'UNAVAILABLE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    requestId: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
