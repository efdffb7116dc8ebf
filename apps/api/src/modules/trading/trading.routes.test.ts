import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, createAdmin, signUpVerified, type TestSession } from '../../../test/auth-helpers.ts';
import { createTestApp, ownDatabaseForFile, type TestContext } from '../../../test/helpers.ts';
import { waitFor } from '../../../test/prices.ts';
import { credit } from '../ledger/index.ts';

// Background work of other files' apps (engine resync, order-event passes, alert ticks) stays off this file's rows.
ownDatabaseForFile('cv_tradingroutes');

let t: TestContext;
let alice: TestSession;
const pushes: { userId: string; event: string; payload: unknown }[] = [];

beforeAll(async () => {
  t = await createTestApp(); // the simulated market, driven through POST /api/dev/market/:assetId
  t.platform.realtime.attach({
    toUser: (userId, event, payload) => pushes.push({ userId, event, payload }),
    broadcast: () => undefined,
  });
  await waitFor(() => t.root.trading.engine.isRunning && t.platform.prices.get('bitcoin') !== null);
  alice = await signUpVerified(t);
  await fund(alice, 'USD', '10000');
  await setPrice('bitcoin', '50000');
});
afterAll(async () => {
  await t.close();
});

async function fund(s: TestSession, asset: string, amount: string) {
  await t.platform.database.db.transaction((tx) => credit(tx, { userId: s.user.id, asset, amount, reference: 'test:fund' }));
}
async function setPrice(assetId: string, priceUsd: string) {
  const res = await t.app.inject({ method: 'POST', url: `/api/dev/market/${assetId}`, payload: { priceUsd, holdMs: 600_000 } });
  expect(res.statusCode).toBe(200);
  await waitFor(() => t.platform.prices.get(assetId)?.priceUsd === priceUsd);
  await t.root.trading.engine.idle();
}
const placeOrder = (s: TestSession, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
  asUser(t, s).inject({ method: 'POST', url: '/api/orders', payload, headers });

describe('POST /api/orders validation', () => {
  it.each([
    ['a price on a market order', { type: 'market', amount: '0.01', price: '1' }],
    ['a trigger price on a market order', { type: 'market', amount: '0.01', triggerPrice: '1' }],
    ['more decimals than the pair allows', { type: 'market', amount: '0.000000001' }],
    ['zero', { type: 'market', amount: '0' }],
    ['a negative amount', { type: 'market', amount: '-1' }],
    ['exponent notation', { type: 'market', amount: '1e-3' }],
    ['a non-numeric string', { type: 'market', amount: 'lots' }],
    ['a JSON number', { type: 'market', amount: 0.01 }],
    ['an unknown pair', { type: 'market', amount: '1', symbol: 'FOO/USD' }],
    ['a limit without price', { type: 'limit', amount: '0.01' }],
    ['a limit price with too many decimals', { type: 'limit', amount: '0.01', price: '50000.001' }],
    ['an unknown field', { type: 'market', amount: '0.01', leverage: '100' }],
  ])('400 VALIDATION_ERROR for %s', async (_name, body) => {
    const res = await placeOrder(alice, { symbol: 'BTC/USD', side: 'buy', ...body });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_ERROR');
  });

  it('401 without a session', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/orders', payload: { symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.01' } });
    expect(res.statusCode).toBe(401);
  });
});

describe('orders over HTTP', () => {
  it('a market buy fills at the server price and pushes order and balance updates', async () => {
    pushes.length = 0;
    const res = await placeOrder(alice, { symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.01' });
    expect(res.statusCode).toBe(201);
    const order = res.json();
    expect(order).toMatchObject({ status: 'closed', average: '50000', cost: '500', fee: { cost: '0.5', currency: 'USD' } });
    expect(pushes).toContainEqual({ userId: alice.user.id, event: 'order:update', payload: expect.objectContaining({ id: order.id }) });
    expect(pushes).toContainEqual({
      userId: alice.user.id,
      event: 'balance:update',
      payload: { items: expect.arrayContaining([expect.objectContaining({ asset: 'BTC', available: '0.01' })]) },
    });
    const bal = await asUser(t, alice).inject({ method: 'GET', url: '/api/wallet/balances' });
    expect(bal.json().items).toEqual(
      expect.arrayContaining([
        { asset: 'USD', available: '9499.5', locked: '0', total: '9499.5', valueUsd: '9499.50' },
        { asset: 'BTC', available: '0.01', locked: '0', total: '0.01', valueUsd: '500.00' },
      ]),
    );
  });

  it('a market order answers with exactly the stored order, on the first trade of an asset and after it', async () => {
    // Carol's first ETH trade creates her ETH account (the transactional path); the next ones fill in one statement.
    const carol = await signUpVerified(t);
    await fund(carol, 'USD', '1000');
    await setPrice('ethereum', '2000');
    const placed = [];
    for (const body of [
      { symbol: 'ETH/USD', side: 'buy', type: 'market', amount: '0.1', clientOrderId: 'carol-1' },
      { symbol: 'ETH/USD', side: 'buy', type: 'market', quoteAmount: '100' },
      { symbol: 'ETH/USD', side: 'sell', type: 'market', amount: '0.05' },
    ]) {
      const res = await placeOrder(carol, body);
      expect(res.statusCode).toBe(201);
      placed.push(res.json());
    }
    for (const order of placed) {
      const stored = await asUser(t, carol).inject({ method: 'GET', url: `/api/orders/${order.id}` });
      expect(stored.json()).toEqual(order);
    }
    expect(placed[0]).toMatchObject({ clientOrderId: 'carol-1', status: 'closed', filled: '0.1', average: '2000', remaining: '0' });
    expect(placed[2]).toMatchObject({ side: 'sell', filled: '0.05', cost: '100', fee: { cost: '0.1', currency: 'USD', rate: '0.001' } });
    // The same clientOrderId again is a conflict on either path, and writes nothing.
    const before = (await asUser(t, carol).inject({ method: 'GET', url: '/api/wallet/balances' })).json();
    const dup = await placeOrder(carol, { symbol: 'ETH/USD', side: 'buy', type: 'market', amount: '0.01', clientOrderId: 'carol-1' });
    expect(dup.statusCode).toBe(409);
    expect((await asUser(t, carol).inject({ method: 'GET', url: '/api/wallet/balances' })).json()).toEqual(before);
    // More than the balance: refused whole.
    const tooMuch = await placeOrder(carol, { symbol: 'ETH/USD', side: 'buy', type: 'market', amount: '5' });
    expect(tooMuch.json().error.code).toBe('INSUFFICIENT_FUNDS');
    expect((await asUser(t, carol).inject({ method: 'GET', url: '/api/wallet/balances' })).json()).toEqual(before);
  });

  it('a limit order fills when POST /api/dev/market moves the price across it, and not before', async () => {
    const res = await placeOrder(alice, { symbol: 'BTC/USD', side: 'buy', type: 'limit', amount: '0.01', price: '45000' });
    expect(res.statusCode).toBe(201);
    const id = res.json().id;
    expect(res.json().status).toBe('open');
    await setPrice('bitcoin', '45000.01');
    expect((await asUser(t, alice).inject({ method: 'GET', url: `/api/orders/${id}` })).json().status).toBe('open');
    await setPrice('bitcoin', '44900');
    await waitFor(async () => (await asUser(t, alice).inject({ method: 'GET', url: `/api/orders/${id}` })).json().status === 'closed');
    expect((await asUser(t, alice).inject({ method: 'GET', url: `/api/orders/${id}` })).json()).toMatchObject({ average: '44900', filled: '0.01' });
    await setPrice('bitcoin', '50000');
  });

  it('Idempotency-Key: a retry returns the first order; another body is 409', async () => {
    const body = { symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.001' };
    const a = await placeOrder(alice, body, { 'idempotency-key': 'http-key-1' });
    const b = await placeOrder(alice, body, { 'idempotency-key': 'http-key-1' });
    expect(b.json().id).toBe(a.json().id);
    const c = await placeOrder(alice, { ...body, amount: '0.002' }, { 'idempotency-key': 'http-key-1' });
    expect(c.statusCode).toBe(409);
    expect(c.json().error.code).toBe('IDEMPOTENCY_MISMATCH');
  });

  it("another user's order is 404 to read and to cancel; cancel releases the hold", async () => {
    const bob = await signUpVerified(t);
    const res = await placeOrder(alice, { symbol: 'BTC/USD', side: 'sell', type: 'limit', amount: '0.005', price: '90000' });
    const id = res.json().id;
    expect((await asUser(t, bob).inject({ method: 'GET', url: `/api/orders/${id}` })).statusCode).toBe(404);
    expect((await asUser(t, bob).inject({ method: 'DELETE', url: `/api/orders/${id}` })).statusCode).toBe(404);
    const cancel = await asUser(t, alice).inject({ method: 'DELETE', url: `/api/orders/${id}` });
    expect(cancel.json().status).toBe('canceled');
    const btc = (await asUser(t, alice).inject({ method: 'GET', url: '/api/wallet/balances' })).json().items.find((i: { asset: string }) => i.asset === 'BTC');
    expect(btc.locked).toBe('0');
  });

  it('lists orders with cursor pagination and filters', async () => {
    const p1 = (await asUser(t, alice).inject({ method: 'GET', url: '/api/orders?limit=2' })).json();
    expect(p1.items).toHaveLength(2);
    expect(p1.nextCursor).toEqual(expect.any(String));
    const p2 = (await asUser(t, alice).inject({ method: 'GET', url: `/api/orders?limit=2&cursor=${p1.nextCursor}` })).json();
    expect(p2.items[0].id).not.toBe(p1.items[1].id);
    const open = (await asUser(t, alice).inject({ method: 'GET', url: '/api/orders?status=open' })).json();
    expect(open.items.every((o: { status: string }) => o.status === 'open')).toBe(true);
  });
});

describe('portfolio, transactions and reconciliation', () => {
  it('portfolio values holdings with average cost and P&L', async () => {
    const res = await asUser(t, alice).inject({ method: 'GET', url: '/api/portfolio' });
    expect(res.statusCode).toBe(200);
    const btc = res.json().holdings.find((h: { asset: string }) => h.asset === 'BTC');
    expect(btc).toMatchObject({ priceUsd: '50000', averageCostUsd: expect.any(String), unrealizedPnlUsd: expect.any(String) });
    const hist = await asUser(t, alice).inject({ method: 'GET', url: '/api/portfolio/history?range=1d' });
    expect(hist.statusCode).toBe(200);
    expect(hist.json().items.at(-1).valueUsd).toBe(res.json().totalUsd);
  });

  it('transactions come from the ledger, filtered, paginated and exported', async () => {
    const list = (await asUser(t, alice).inject({ method: 'GET', url: '/api/transactions?limit=200' })).json();
    const types = new Set(list.items.map((i: { type: string }) => i.type));
    expect(types).toEqual(new Set(['deposit', 'trade'])); // a trade's fee is in its row
    const trades = (await asUser(t, alice).inject({ method: 'GET', url: '/api/transactions?type=trade&asset=USD' })).json();
    expect(trades.items.length).toBeGreaterThan(0);
    expect(trades.items.every((i: { type: string; fee: string; feeAsset: string }) => i.type === 'trade' && i.feeAsset === 'USD' && Number(i.fee) > 0)).toBe(
      true,
    );
    const page = (await asUser(t, alice).inject({ method: 'GET', url: '/api/transactions?limit=1' })).json();
    const next = (await asUser(t, alice).inject({ method: 'GET', url: `/api/transactions?limit=1&cursor=${page.nextCursor}` })).json();
    expect(next.items[0].id).toBe(list.items[1].id);
    const csv = await asUser(t, alice).inject({ method: 'GET', url: '/api/transactions/export?format=csv' });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body.trim().split('\n')).toHaveLength(list.items.length + 1);
    const json = await asUser(t, alice).inject({ method: 'GET', url: '/api/transactions/export?format=json' });
    expect(json.json()).toEqual(list.items);
  });

  it('date filters outside the years 0001–9999 are a 400, before anything is streamed', async () => {
    // PostgreSQL has no year 0000; 9999-12-31 at -15:00 is year 10000 in UTC. Found by the fuzz tests: the export
    // had already sent its headers when the query failed.
    for (const q of ['to=0000-02-29T00:00:00Z', 'from=9999-12-31T23:00:00-15:00']) {
      for (const path of ['/api/transactions', '/api/transactions/export']) {
        const res = await asUser(t, alice).inject({ method: 'GET', url: `${path}?${q.replace('+', '%2B')}` });
        expect(res.statusCode, `${path}?${q}`).toBe(400);
        expect(res.json()).toMatchObject({ error: { code: 'VALIDATION_ERROR' } });
      }
    }
    const inRange = await asUser(t, alice).inject({
      method: 'GET',
      url: '/api/transactions/export?format=json&from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z',
    });
    expect(inRange.statusCode).toBe(200);
  });

  it('reconciliation is admin-only and reports zero drift', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/admin/reconciliation' })).statusCode).toBe(401);
    expect((await asUser(t, alice).inject({ method: 'GET', url: '/api/admin/reconciliation' })).statusCode).toBe(403);
    const admin = await createAdmin(t);
    const res = await asUser(t, admin).inject({ method: 'GET', url: '/api/admin/reconciliation' });
    expect(res.statusCode).toBe(200);
    expect(res.json().ok).toBe(true);
    expect(res.json().items.find((i: { asset: string }) => i.asset === 'USD')).toMatchObject({ drift: '0', journalTotal: '0' });
  });
});

describe('advanced orders over HTTP', () => {
  it.each([
    ['a stop-limit without its limit price', { type: 'stop_limit', amount: '0.01', triggerPrice: '55000' }],
    ['a trailing stop with both trails', { type: 'trailing_stop', amount: '0.01', trailAmount: '100', trailPercent: '1' }],
    ['an OCO sell with its take-profit below its stop-loss', { type: 'oco', side: 'sell', amount: '0.01', takeProfitPrice: '40000', stopLossPrice: '45000' }],
    ['GTD without an expiry time', { type: 'limit', amount: '0.01', price: '40000', timeInForce: 'GTD' }],
    ['IOC on a stop-loss', { type: 'stop_loss', amount: '0.01', triggerPrice: '55000', timeInForce: 'IOC' }],
  ])('400 VALIDATION_ERROR for %s', async (_name, body) => {
    const res = await placeOrder(alice, { symbol: 'BTC/USD', side: 'buy', ...body });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_ERROR');
  });

  it('a stop-loss sell above the market is refused with 422 TRIGGER_WOULD_FIRE_NOW, in words', async () => {
    await fund(alice, 'BTC', '0.1');
    const res = await placeOrder(alice, { symbol: 'BTC/USD', side: 'sell', type: 'stop_loss', amount: '0.01', triggerPrice: '60000' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'TRIGGER_WOULD_FIRE_NOW', message: expect.stringContaining('would fill at once') });
  });

  it('PATCH /api/orders/:id amends (cancel-and-replace); another user’s order is 404; it is in the OpenAPI document', async () => {
    const placed = await placeOrder(alice, { symbol: 'BTC/USD', side: 'buy', type: 'limit', amount: '0.01', price: '40000' });
    expect(placed.statusCode).toBe(201);
    const id = placed.json().id as string;
    const amended = await asUser(t, alice).inject({ method: 'PATCH', url: `/api/orders/${id}`, payload: { price: '41000' } });
    expect(amended.statusCode).toBe(200);
    expect(amended.json()).toMatchObject({ status: 'open', price: '41000', replacesOrderId: id });
    const bob = await signUpVerified(t);
    const foreign = await asUser(t, bob).inject({ method: 'PATCH', url: `/api/orders/${amended.json().id}`, payload: { price: '42000' } });
    expect(foreign.statusCode).toBe(404);
    const empty = await asUser(t, alice).inject({ method: 'PATCH', url: `/api/orders/${amended.json().id}`, payload: {} });
    expect(empty.statusCode).toBe(400);
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.paths['/api/orders/{id}'].patch).toBeDefined();
    expect((await asUser(t, alice).inject({ method: 'DELETE', url: `/api/orders/${amended.json().id}` })).statusCode).toBe(200);
  });
});
