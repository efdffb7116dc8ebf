import { describe, expect, it, vi } from 'vitest';
import { createApiClient } from './apiClient.ts';
import { ApiError } from './errors.ts';

interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const apiError = (status: number, code: string, extra: Record<string, unknown> = {}) =>
  json(status, { error: { code, message: `${code} happened`, requestId: 'req-1', ...extra } });

/** A scripted server: each handler sees the call and returns a Response (or throws for a network failure). */
function fakeServer(handler: (c: Call, calls: Call[]) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fetchImpl = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const c: Call = {
      method: init?.method ?? 'GET',
      url: String(input),
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    };
    calls.push(c);
    return handler(c, calls);
  });
  return { calls, fetch: fetchImpl as unknown as typeof fetch };
}

const client = (f: typeof fetch, extra: Partial<Parameters<typeof createApiClient>[0]> = {}) =>
  createApiClient({ baseUrl: () => '', fetch: f, retryBaseMs: 1, ...extra });

describe('apiClient', () => {
  it('on 403 STEP_UP_REQUIRED asks onStepUpRequired with the server details and retries once; no second prompt', async () => {
    let steppedUp = false;
    const s = fakeServer((c) => {
      if (c.url === '/api/csrf') return json(200, { csrfToken: 'tok' });
      if (c.url === '/api/wallet/transfers') {
        return steppedUp ? json(201, { id: 't1' }) : apiError(403, 'STEP_UP_REQUIRED', { details: { methods: ['password', 'totp'], ttlSeconds: 300 } });
      }
      return json(404, {});
    });
    const asked: unknown[] = [];
    const api = client(s.fetch, {
      onStepUpRequired: async (d) => {
        asked.push(d);
        steppedUp = true;
        return true;
      },
    });
    await expect(api.post('/api/wallet/transfers', { amount: '1' })).resolves.toEqual({ id: 't1' });
    expect(asked).toEqual([{ methods: ['password', 'totp'], ttlSeconds: 300 }]);
    expect(s.calls.filter((c) => c.url === '/api/wallet/transfers')).toHaveLength(2);

    // Cancelled, or still refused after one step-up: the error reaches the form, and the user is asked only once.
    steppedUp = false;
    const never = client(s.fetch, { onStepUpRequired: async () => true });
    await expect(never.post('/api/wallet/transfers', {})).rejects.toMatchObject({ code: 'STEP_UP_REQUIRED', status: 403 });
    const cancelled = client(s.fetch, { onStepUpRequired: async () => false });
    await expect(cancelled.post('/api/wallet/transfers', {})).rejects.toMatchObject({ code: 'STEP_UP_REQUIRED' });
  });

  it("passes 'passkey' through in step-up details, and a refused factor (401 PASSKEY_INVALID / TOTP_INVALID) is not a dead session: no refresh, no retry", async () => {
    const s = fakeServer((c) => {
      if (c.url === '/api/csrf') return json(200, { csrfToken: 'tok' });
      if (c.url === '/api/auth/refresh') return json(200, {});
      if (c.url === '/api/wallet/transfers')
        return apiError(403, 'STEP_UP_REQUIRED', { details: { methods: ['password', 'passkey', 'sms'], ttlSeconds: 300 } });
      if (c.url === '/api/auth/step-up') return apiError(401, c.body && (c.body as { passkey?: unknown }).passkey ? 'PASSKEY_INVALID' : 'TOTP_INVALID');
      return json(404, {});
    });
    const asked: unknown[] = [];
    const expired = vi.fn();
    const api = client(s.fetch, {
      onSessionExpired: expired,
      onStepUpRequired: async (d) => {
        asked.push(d);
        return false;
      },
    });
    await expect(api.post('/api/wallet/transfers', {})).rejects.toMatchObject({ code: 'STEP_UP_REQUIRED' });
    expect(asked).toEqual([{ methods: ['password', 'passkey'], ttlSeconds: 300 }]);
    await expect(api.post('/api/auth/step-up', { passkey: {} })).rejects.toMatchObject({ code: 'PASSKEY_INVALID', status: 401 });
    await expect(api.post('/api/auth/step-up', { totpCode: '123456' })).rejects.toMatchObject({ code: 'TOTP_INVALID', status: 401 });
    expect(s.calls.filter((c) => c.url === '/api/auth/refresh')).toHaveLength(0);
    expect(s.calls.filter((c) => c.url === '/api/auth/step-up')).toHaveLength(2);
    expect(expired).not.toHaveBeenCalled();
  });

  it('fetches the CSRF token once and sends it on every state-changing request', async () => {
    let issued = 0;
    const s = fakeServer((c) => {
      if (c.url === '/api/csrf') return json(200, { csrfToken: `tok-${++issued}` });
      return json(200, { ok: true });
    });
    const api = client(s.fetch);
    await Promise.all([api.post('/api/a', { x: 1 }), api.patch('/api/b', {}), api.del('/api/c')]);
    await api.get('/api/d');
    expect(issued).toBe(1);
    const writes = s.calls.filter((c) => c.method !== 'GET');
    expect(writes.map((c) => c.headers['x-csrf-token'])).toEqual(['tok-1', 'tok-1', 'tok-1']);
    expect(s.calls.find((c) => c.url === '/api/d')?.headers['x-csrf-token']).toBeUndefined();
  });

  it('refetches a stale CSRF token once and retries', async () => {
    let issued = 0;
    const s = fakeServer((c) => {
      if (c.url === '/api/csrf') return json(200, { csrfToken: `tok-${++issued}` });
      return c.headers['x-csrf-token'] === 'tok-2' ? json(201, { id: 'o1' }) : apiError(403, 'CSRF_INVALID');
    });
    await expect(client(s.fetch).post('/api/orders', {})).resolves.toEqual({ id: 'o1' });
    expect(issued).toBe(2);
  });

  it('shares one refresh between concurrent 401s and retries each request', async () => {
    let session = 'old';
    let refreshes = 0;
    const s = fakeServer(async (c) => {
      if (c.url === '/api/auth/refresh') {
        refreshes++;
        await new Promise((r) => setTimeout(r, 20));
        session = 'new';
        return json(200, { ok: true });
      }
      return session === 'new' ? json(200, { url: c.url }) : apiError(401, 'UNAUTHENTICATED');
    });
    const api = client(s.fetch);
    const results = await Promise.all(['/api/a', '/api/b', '/api/c', '/api/d'].map((p) => api.get<{ url: string }>(p)));
    expect(results.map((r) => r.url)).toEqual(['/api/a', '/api/b', '/api/c', '/api/d']);
    expect(refreshes).toBe(1);
  });

  it('reports an expired session once when the refresh fails, and surfaces the 401', async () => {
    const onSessionExpired = vi.fn();
    const s = fakeServer((c) => (c.url === '/api/auth/refresh' ? apiError(401, 'UNAUTHENTICATED') : apiError(401, 'UNAUTHENTICATED')));
    const api = client(s.fetch, { onSessionExpired });
    const err = await api.get('/api/portfolio').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('UNAUTHENTICATED');
    expect(onSessionExpired).toHaveBeenCalledTimes(1);
    expect(s.calls.filter((c) => c.url === '/api/auth/refresh')).toHaveLength(1);
  });

  it('does not try to refresh when the login itself is refused', async () => {
    const s = fakeServer(() => apiError(401, 'UNAUTHENTICATED'));
    const api = client(s.fetch);
    await expect(api.post('/api/auth/login', { email: 'a@b.c', password: 'x' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(s.calls.some((c) => c.url === '/api/auth/refresh')).toBe(false);
  });

  it('retries idempotent requests on network errors and 503, with backoff', async () => {
    const onNetworkError = vi.fn();
    let n = 0;
    const s = fakeServer((c) => {
      if (c.url !== '/api/crypto') return json(200, {});
      n++;
      if (n === 1) throw new TypeError('Failed to fetch');
      if (n === 2) return apiError(503, 'UNAVAILABLE');
      return json(200, { items: [] });
    });
    await expect(client(s.fetch, { onNetworkError }).get('/api/crypto')).resolves.toEqual({ items: [] });
    expect(n).toBe(3);
    expect(onNetworkError).toHaveBeenCalledTimes(1);
  });

  it('never retries a POST without an idempotency key, but does with one', async () => {
    const plain = fakeServer((c) => {
      if (c.url === '/api/csrf') return json(200, { csrfToken: 't' });
      throw new TypeError('Failed to fetch');
    });
    await expect(client(plain.fetch).post('/api/orders', {})).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    expect(plain.calls.filter((c) => c.url === '/api/orders')).toHaveLength(1);

    let n = 0;
    const keyed = fakeServer((c) => {
      if (c.url === '/api/csrf') return json(200, { csrfToken: 't' });
      if (++n === 1) throw new TypeError('Failed to fetch');
      return json(201, { id: 'o1' });
    });
    await expect(client(keyed.fetch).post('/api/orders', {}, { idempotencyKey: 'k1' })).resolves.toEqual({ id: 'o1' });
    const orders = keyed.calls.filter((c) => c.url === '/api/orders');
    expect(orders.map((c) => c.headers['idempotency-key'])).toEqual(['k1', 'k1']);
  });

  it('gives up after maxAttempts', async () => {
    const s = fakeServer(() => {
      throw new TypeError('Failed to fetch');
    });
    await expect(client(s.fetch, { maxAttempts: 3 }).get('/api/ping')).rejects.toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
    expect(s.calls).toHaveLength(3);
  });

  it('surfaces the contract error codes, request id, Retry-After and field errors', async () => {
    const s = fakeServer((c) => {
      if (c.url === '/api/csrf') return json(200, { csrfToken: 't' });
      if (c.url === '/api/orders') return apiError(422, 'INSUFFICIENT_FUNDS', { requestId: 'abc' });
      if (c.url === '/api/limited') return json(429, { error: { code: 'RATE_LIMITED', message: 'slow', requestId: 'r' } }, { 'retry-after': '7' });
      if (c.url === '/api/proxy') return new Response('<html>Bad gateway</html>', { status: 500, headers: { 'content-type': 'text/html' } });
      return apiError(400, 'VALIDATION_ERROR', {
        details: [
          { path: ['body', 'email'], message: 'Invalid email' },
          { path: ['body', 'password'], message: 'Too short' },
        ],
      });
    });
    const api = client(s.fetch, { maxAttempts: 1 });
    const funds = (await api.post('/api/orders', {}).catch((e: unknown) => e)) as ApiError;
    expect([funds.code, funds.status, funds.requestId, funds.message]).toEqual(['INSUFFICIENT_FUNDS', 422, 'abc', 'INSUFFICIENT_FUNDS happened']);
    const limited = (await api.get('/api/limited').catch((e: unknown) => e)) as ApiError;
    expect([limited.code, limited.retryAfterSeconds]).toEqual(['RATE_LIMITED', 7]);
    const proxy = (await api.get('/api/proxy').catch((e: unknown) => e)) as ApiError;
    expect(proxy.code).toBe('INTERNAL');
    const invalid = (await api.post('/api/auth/signup', {}).catch((e: unknown) => e)) as ApiError;
    expect(invalid.fieldErrors()).toEqual({ email: 'Invalid email', password: 'Too short' });
  });

  it('prefixes the configured base URL and encodes the query', async () => {
    const s = fakeServer(() => json(200, {}));
    const api = createApiClient({ baseUrl: () => 'https://api.example.com', fetch: s.fetch });
    await api.get('/api/transactions', { type: 'trade', asset: undefined, limit: 50, from: '' });
    expect(s.calls[0]?.url).toBe('https://api.example.com/api/transactions?type=trade&limit=50');
  });
});
