import { ERROR_CODES, type ErrorCode, errorBodySchema } from '@cryptovault/contract';

/** Codes the client adds for failures that never reached (or never came back from) the server. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'TIMEOUT' | 'BAD_RESPONSE';
export type ApiErrorCode = ErrorCode | ClientErrorCode;

const KNOWN = new Set<string>(ERROR_CODES);

/** Every failed API call surfaces as this: the contract's error code, the HTTP status and the request id. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly status: number,
    readonly requestId: string | null = null,
    readonly details: unknown = undefined,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }

  get isNetwork(): boolean {
    return this.code === 'NETWORK_ERROR' || this.code === 'TIMEOUT';
  }

  /**
   * Field errors from a VALIDATION_ERROR: the server lists zod issues as `{ path, message }` (path as an array or
   * a dotted string); each maps to the first segment after `body`/`query`, which is the form field name.
   */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    if (this.code !== 'VALIDATION_ERROR') return out;
    const list = Array.isArray(this.details)
      ? this.details
      : isRecord(this.details) && Array.isArray(this.details.issues)
        ? this.details.issues
        : isRecord(this.details) && Array.isArray(this.details.fields)
          ? this.details.fields
          : [];
    for (const item of list) {
      if (!isRecord(item)) continue;
      const raw = item.path ?? item.field ?? item.instancePath;
      const parts = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(/[./]/).filter(Boolean) : [];
      const field = parts.find((p) => p !== 'body' && p !== 'query' && p !== 'params');
      const message = typeof item.message === 'string' ? item.message : 'Invalid value';
      if (field && !(field in out)) out[field] = message;
    }
    return out;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Builds an ApiError from a non-2xx response body (which may not be JSON at all, e.g. from a proxy). */
export function errorFromResponse(status: number, body: unknown, headers: Headers): ApiError {
  const retryAfter = Number(headers.get('retry-after'));
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null;
  const parsed = errorBodySchema.safeParse(body);
  if (parsed.success) {
    const { code, message, requestId, details } = parsed.data.error;
    return new ApiError(KNOWN.has(code) ? (code as ErrorCode) : fallbackCode(status), message, status, requestId, details, retryAfterSeconds);
  }
  return new ApiError(fallbackCode(status), `Request failed (${status})`, status, headers.get('x-request-id'), undefined, retryAfterSeconds);
}

function fallbackCode(status: number): ApiErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 503 || status === 502 || status === 504) return 'UNAVAILABLE';
  if (status >= 500) return 'INTERNAL';
  return 'BAD_RESPONSE';
}

/** A short, human sentence for toasts and alerts. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.isNetwork) return 'Cannot reach CryptoVault. Check your connection and try again.';
    if (err.code === 'RATE_LIMITED')
      return err.retryAfterSeconds ? `Too many requests; try again in ${err.retryAfterSeconds}s.` : 'Too many requests; try again shortly.';
    if (err.status >= 500) return `Something went wrong on our side${err.requestId ? ` (reference ${err.requestId})` : ''}.`;
    return err.message;
  }
  if (err instanceof Error) return err.message;
  return 'Unexpected error';
}
