import { type RouteBody, type RouteDef, type RouteParams, type RouteQuery, type RouteResponse, routePath } from '@cryptovault/contract';
import { backoffDelay, sleep } from './backoff.ts';
import { ApiError, errorFromResponse } from './errors.ts';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  headers?: Record<string, string>;
  /** Makes a POST safe to retry: the server returns the first result for a repeated key. */
  idempotencyKey?: string;
  signal?: AbortSignal;
  /** Auth endpoints must not trigger a refresh themselves. */
  skipRefresh?: boolean;
}

export interface ApiClientOptions {
  /** '' for same-origin (relative `/api/...`), else an absolute origin such as `https://api.example.com`. */
  baseUrl: () => string;
  fetch?: typeof fetch;
  /** Attempts for retryable failures, the first included. */
  maxAttempts?: number;
  retryBaseMs?: number;
  timeoutMs?: number;
  /** Called once when a refresh fails: the session is over. */
  onSessionExpired?: () => void;
  /** Called on a network failure so the health monitor can check at once instead of in 4 minutes. */
  onNetworkError?: () => void;
  /**
   * Called when the server answers 403 STEP_UP_REQUIRED: ask the user (StepUpDialog), step up through this client
   * and resolve true to retry the request once, or false to give up (the error is thrown).
   */
  onStepUpRequired?: (details: StepUpRequiredDetails) => Promise<boolean>;
}

export interface StepUpRequiredDetails {
  /** 'password': the password is needed; 'totp' and/or 'passkey': a second factor, any one of those named. */
  methods: ('password' | 'totp' | 'passkey')[];
  ttlSeconds: number;
}

function stepUpDetails(details: unknown): StepUpRequiredDetails {
  const d = (typeof details === 'object' && details !== null ? details : {}) as { methods?: unknown; ttlSeconds?: unknown };
  const methods = Array.isArray(d.methods)
    ? d.methods.filter((m): m is 'password' | 'totp' | 'passkey' => m === 'password' || m === 'totp' || m === 'passkey')
    : [];
  return { methods: methods.length ? methods : ['password'], ttlSeconds: typeof d.ttlSeconds === 'number' ? d.ttlSeconds : 300 };
}

const IDEMPOTENT = new Set<Method>(['GET', 'HEAD', 'PUT', 'DELETE']);
const STATE_CHANGING = new Set<Method>(['POST', 'PUT', 'PATCH', 'DELETE']);
const RETRY_STATUSES = new Set([502, 503, 504]);
/** These paths answer 401 for reasons a refresh cannot fix (wrong password, expired refresh token). */
const NO_REFRESH = /^\/api\/(auth\/(login|refresh|signup|verify-email|forgot-password|reset-password|resend-verification)|security\/(freeze|unfreeze)$)\b/;

export type ApiClient = ReturnType<typeof createApiClient>;

/** The options of `api.call(route, …)`: params, query and body typed by the route; params and body required when it has them. */
export type CallOptions<R extends RouteDef> = Omit<RequestOptions, 'body' | 'query'> &
  (RouteParams<R> extends undefined ? { params?: undefined } : { params: RouteParams<R> }) &
  (RouteQuery<R> extends undefined ? { query?: undefined } : { query?: RouteQuery<R> }) &
  (RouteBody<R> extends undefined ? { body?: undefined } : { body: RouteBody<R> });

/** Routes without params or body can be called without options. */
type CallArgs<R extends RouteDef> =
  RouteParams<R> extends undefined ? (RouteBody<R> extends undefined ? [o?: CallOptions<R>] : [o: CallOptions<R>]) : [o: CallOptions<R>];

/**
 * The one HTTP client of the web app. Cookies carry the session; state-changing requests carry the CSRF token
 * (fetched lazily, refetched once when the server says it is stale); a 403 STEP_UP_REQUIRED asks the user to confirm
 * (onStepUpRequired) and retries once; a 401 triggers one refresh shared by every
 * request that is waiting on it; idempotent requests are retried with backoff on network errors and 502–504.
 */
export function createApiClient(opts: ApiClientOptions) {
  const doFetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const maxAttempts = opts.maxAttempts ?? 3;
  const retryBaseMs = opts.retryBaseMs ?? 400;
  const timeoutMs = opts.timeoutMs ?? 20_000;
  let csrfToken: Promise<string> | null = null;
  let refreshing: Promise<boolean> | null = null;

  function url(path: string, query?: Query): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    const qs = q.toString();
    return `${opts.baseUrl()}${path}${qs ? `?${qs}` : ''}`;
  }

  async function send(method: Method, path: string, o: RequestOptions, headers: Record<string, string>): Promise<Response> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
    try {
      return await doFetch(url(path, o.query), {
        method,
        credentials: 'include',
        headers,
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
        signal,
      });
    } catch (err) {
      if (o.signal?.aborted) throw err;
      opts.onNetworkError?.();
      const timedOut = timeout.aborted;
      throw new ApiError(timedOut ? 'TIMEOUT' : 'NETWORK_ERROR', timedOut ? 'The request timed out' : 'Network error', 0);
    }
  }

  function getCsrf(): Promise<string> {
    if (!csrfToken) {
      csrfToken = (async () => {
        const res = await send('GET', '/api/csrf', {}, { accept: 'application/json' });
        if (!res.ok) throw errorFromResponse(res.status, await readBody(res), res.headers);
        const body = (await res.json()) as { csrfToken: string };
        return body.csrfToken;
      })();
      csrfToken.catch(() => {
        csrfToken = null;
      });
    }
    return csrfToken;
  }

  function refresh(): Promise<boolean> {
    if (!refreshing) {
      refreshing = (async () => {
        try {
          const res = await send('POST', '/api/auth/refresh', {}, { accept: 'application/json' });
          // The CSRF token is bound to the session: whatever happened, fetch a fresh one next time.
          csrfToken = null;
          return res.ok;
        } catch {
          return false;
        }
      })().finally(() => {
        refreshing = null;
      });
    }
    return refreshing;
  }

  async function attempt(method: Method, path: string, o: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...o.headers };
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    if (o.idempotencyKey) headers['idempotency-key'] = o.idempotencyKey;
    if (STATE_CHANGING.has(method)) headers['x-csrf-token'] = await getCsrf();
    return send(method, path, o, headers);
  }

  async function request<T>(method: Method, path: string, o: RequestOptions = {}): Promise<T> {
    const res = await perform(method, path, o);
    if (res.status === 204 || method === 'HEAD') return undefined as T;
    const body = await readBody(res);
    return body as T;
  }

  /** Runs the request with CSRF, refresh and retry handling; resolves only with a 2xx response. */
  async function perform(method: Method, path: string, o: RequestOptions): Promise<Response> {
    const retryable = IDEMPOTENT.has(method) || Boolean(o.idempotencyKey);
    let refreshed = false;
    let csrfRetried = false;
    let steppedUp = false;
    for (let n = 0; ; n++) {
      let res: Response;
      try {
        res = await attempt(method, path, o);
      } catch (err) {
        if (err instanceof ApiError && err.isNetwork && retryable && n + 1 < maxAttempts) {
          await sleep(backoffDelay(n, retryBaseMs, 5_000), o.signal);
          continue;
        }
        throw err;
      }
      if (res.ok) return res;
      if (RETRY_STATUSES.has(res.status) && retryable && n + 1 < maxAttempts) {
        await sleep(backoffDelay(n, retryBaseMs, 5_000), o.signal);
        continue;
      }
      const error = errorFromResponse(res.status, await readBody(res), res.headers);
      if (error.code === 'CSRF_INVALID' && !csrfRetried) {
        csrfRetried = true;
        csrfToken = null;
        n--;
        continue;
      }
      if (error.code === 'STEP_UP_REQUIRED' && !steppedUp && opts.onStepUpRequired && path !== '/api/auth/step-up') {
        steppedUp = true;
        if (await opts.onStepUpRequired(stepUpDetails(error.details))) {
          n--;
          continue;
        }
      }
      // A wrong code or passkey answer is a 401 about the factor, not the session: no refresh, no retry.
      const factorRefused = error.code === 'TOTP_INVALID' || error.code === 'PASSKEY_INVALID';
      if (res.status === 401 && !factorRefused && !refreshed && !o.skipRefresh && !NO_REFRESH.test(path)) {
        refreshed = true;
        if (await refresh()) {
          n--;
          continue;
        }
        opts.onSessionExpired?.();
      }
      throw error;
    }
  }

  /**
   * Calls one route of the contract's table (packages/contract/src/routes.ts): its method and path (`:id` filled from
   * `params`), a typed query and body, and its success answer as the result type. The same table registers the route
   * in the API, so a path or a shape cannot drift. Cookies, CSRF, refresh, step-up, retries and Idempotency-Key as
   * for every request.
   */
  function call<R extends RouteDef>(route: R, ...[o]: CallArgs<R>): Promise<RouteResponse<R>> {
    const { params, query, ...rest } = (o ?? {}) as RequestOptions & { params?: Record<string, unknown>; query?: Query };
    return request<RouteResponse<R>>(route.method, routePath(route.path, params), { ...rest, query });
  }

  return {
    call,
    request,
    get: <T>(path: string, query?: Query, o: Omit<RequestOptions, 'query'> = {}) => request<T>('GET', path, { ...o, query }),
    post: <T>(path: string, body?: unknown, o: RequestOptions = {}) => request<T>('POST', path, { ...o, body }),
    patch: <T>(path: string, body?: unknown, o: RequestOptions = {}) => request<T>('PATCH', path, { ...o, body }),
    put: <T>(path: string, body?: unknown, o: RequestOptions = {}) => request<T>('PUT', path, { ...o, body }),
    del: <T>(path: string, o: RequestOptions = {}) => request<T>('DELETE', path, o),
    /** For downloads: the raw successful response (CSV export streams). */
    raw: (method: Method, path: string, o: RequestOptions = {}) => perform(method, path, o),
    /** Sessions change on login/logout: the next state-changing request fetches a token bound to the new one. */
    resetCsrf: () => {
      csrfToken = null;
    },
    refresh,
    url,
  };
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
