import { apiRoutes, type Order, type PriceAlert } from '@cryptovault/contract';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createApiClient } from './apiClient.ts';

/**
 * api.call(route, …) against the contract's route table: the method and path come from the table (`:id` filled and
 * encoded), the request keeps the client's CSRF and Idempotency-Key handling, and the types follow the table —
 * `npm run typecheck` checks the expectTypeOf and @ts-expect-error lines below, so a response type changed in the
 * contract fails here as well as in the API's handler.
 */
function fakeServer(answer: (method: string, url: string) => unknown) {
  const calls: { method: string; url: string; headers: Record<string, string>; body: unknown }[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    const url = String(input);
    calls.push({ method, url, headers: (init?.headers ?? {}) as Record<string, string>, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    if (url === '/api/csrf') return Response.json({ csrfToken: 'tok' });
    const body = answer(method, url);
    return body === undefined ? new Response(null, { status: 204 }) : Response.json(body);
  };
  return { calls, api: createApiClient({ baseUrl: () => '', fetch: fetchImpl as typeof fetch, retryBaseMs: 1 }) };
}

describe('api.call', () => {
  it('takes the method and path from the route table, fills and encodes params, sends query and body', async () => {
    const { calls, api } = fakeServer((method) => (method === 'DELETE' ? undefined : { id: 'a' }));
    await api.call(apiRoutes.orders.cancel, { params: { id: 'x/y z' } });
    await api.call(apiRoutes.orders.list, { query: { status: 'open', limit: 5 } });
    await api.call(apiRoutes.alerts.update, { params: { id: 'a1' }, body: { active: false } });
    await api.call(apiRoutes.alerts.remove, { params: { id: 'a1' } });
    await api.call(apiRoutes.orders.place, { body: { symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.1' }, idempotencyKey: 'k1' });
    const sent = calls.filter((c) => c.url !== '/api/csrf');
    expect(sent.map((c) => `${c.method} ${c.url}`)).toEqual([
      'DELETE /api/orders/x%2Fy%20z',
      'GET /api/orders?status=open&limit=5',
      'PATCH /api/alerts/a1',
      'DELETE /api/alerts/a1',
      'POST /api/orders',
    ]);
    expect(sent[0]?.headers['x-csrf-token']).toBe('tok');
    expect(sent[1]?.headers['x-csrf-token']).toBeUndefined();
    expect(sent[2]?.body).toEqual({ active: false });
    expect(sent[4]?.headers['idempotency-key']).toBe('k1');
  });

  it('is typed by the table: params and body required where the route has them, the answer is the route response', () => {
    const { api } = fakeServer(() => ({}));
    expectTypeOf(api.call(apiRoutes.orders.get, { params: { id: 'a' } })).resolves.toEqualTypeOf<Order>();
    expectTypeOf(
      api.call(apiRoutes.alerts.create, { body: { assetId: 'bitcoin', condition: 'above', targetPrice: '1' } }),
    ).resolves.toEqualTypeOf<PriceAlert>();
    expectTypeOf(api.call(apiRoutes.alerts.remove, { params: { id: 'a' } })).resolves.toEqualTypeOf<undefined>();
    // Only type checks below: never sent.
    const typeOnly = (f: () => unknown) => f;
    typeOnly(() => {
      // @ts-expect-error a route with :id needs its params
      void api.call(apiRoutes.orders.get);
      // @ts-expect-error the body must be the route's request body
      void api.call(apiRoutes.alerts.create, { body: { nope: true } });
      // @ts-expect-error a route without a body takes none
      void api.call(apiRoutes.orders.get, { params: { id: 'a' }, body: { x: 1 } });
    });
  });
});
