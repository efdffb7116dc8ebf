import type { CreateQuoteBody, Order, Quote } from '@cryptovault/contract';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { asUser, signUpVerified } from '../../../test/auth-helpers.ts';
import type { TestContext } from '../../../test/helpers.ts';
import { rows } from '../../platform/db/sql.ts';
import { credit, D, reconcile } from '../ledger/index.ts';
import { QuoteBook } from './quotes.ts';
import { createTradingApp, tradingFixture } from './trading.fixtures.ts';

/** Issue 20: a quote is what the market order does, to the cent, or the order is refused and nothing moves. */
let t: TestContext;
let f: Awaited<ReturnType<typeof tradingFixture>>;
beforeAll(async () => {
  const app = await createTradingApp();
  t = app.t;
  f = await tradingFixture(app);
});
afterAll(async () => {
  expect((await reconcile(t.platform.database.db)).ok).toBe(true);
  await t.close();
});

const quote = (userId: string, body: Partial<CreateQuoteBody> = {}) =>
  f.orders.quote(userId, { symbol: 'BTC/USD', side: 'buy', amount: '0.02', ...body } as CreateQuoteBody);

async function ordersOf(userId: string): Promise<number> {
  const r = await rows<{ n: number }>(t.platform.database.db, sql`select count(*)::int as n from orders where user_id = ${userId}`);
  return r[0]!.n;
}

/** The filled order's figures are the quote's: price, amount, fee and total (cost ± fee), to the cent. */
function expectFillEqualsQuote(o: Order, q: Quote) {
  expect(o).toMatchObject({ status: 'closed', average: q.price, amount: q.amount, filled: q.amount });
  expect(new D(o.cost).eq(q.cost)).toBe(true);
  expect(new D(o.fee.cost).eq(q.fee.cost)).toBe(true);
  const total = q.side === 'buy' ? new D(o.cost).plus(o.fee.cost) : new D(o.cost).minus(o.fee.cost);
  expect(total.toFixed(2)).toBe(q.total);
}

describe('firm quotes for market orders', () => {
  it("quotes the issue's order in cents, and the order fills at the quote when the price moved within the bound", async () => {
    await f.tick({ bitcoin: '97025.97' });
    const u = await f.user({ USD: '5000' });
    const q = await quote(u);
    expect(q).toMatchObject({ symbol: 'BTC/USD', side: 'buy', amount: '0.02', price: '97025.97', cost: '1940.52', total: '1942.47' });
    expect(q.fee).toEqual({ currency: 'USD', cost: '1.95', rate: '0.001' });
    expect(q.maxSlippageBps).toBe(50);
    expect(Date.parse(q.expiresAt) - Date.parse(q.createdAt)).toBe(15_000);

    await f.tick({ bitcoin: '97100' }); // +0.08 %: within 0.5 %
    const o = await f.place(u, { amount: '0.02', quoteId: q.id });
    expectFillEqualsQuote(o, q);
    expect(await f.balance(u, 'USD')).toEqual({ available: new D('5000').minus(q.total).toFixed(), locked: '0' });
    expect(await f.balance(u, 'BTC')).toEqual({ available: '0.02', locked: '0' });
    await f.tick({ bitcoin: '50000' });
  });

  it('a sell and a buy by USD budget fill at their quotes too', async () => {
    const u = await f.user({ USD: '100', BTC: '1' });
    const sell = await quote(u, { side: 'sell', amount: '0.12345678' });
    expectFillEqualsQuote(await f.place(u, { side: 'sell', amount: '0.12345678', quoteId: sell.id }), sell);
    const buy = await quote(u, { amount: undefined, quoteAmount: '99.99' });
    expect(new D(buy.total).lte('99.99')).toBe(true);
    expectFillEqualsQuote(await f.place(u, { quoteAmount: '99.99', quoteId: buy.id }), buy);
  });

  it('refuses with PRICE_MOVED beyond the bound (the order may narrow it), leaving balances and orders as they were', async () => {
    const u = await f.user({ USD: '1000' });
    const q = await quote(u, { amount: '0.01', maxSlippageBps: 100 });
    await f.tick({ bitcoin: '50600' }); // +1.2 %
    const before = { usd: await f.balance(u, 'USD'), btc: await f.balance(u, 'BTC') };
    await expect(f.place(u, { amount: '0.01', quoteId: q.id })).rejects.toMatchObject({
      code: 'PRICE_MOVED',
      message: expect.stringContaining('1.2% since your quote ($50,000.00 → $50,600.00), more than the 1% you allowed'),
    });
    await f.tick({ bitcoin: '50300' }); // +0.6 %: within the quote's 1 %, beyond an order's 0.5 %
    await expect(f.place(u, { amount: '0.01', quoteId: q.id, maxSlippageBps: 50 })).rejects.toMatchObject({ code: 'PRICE_MOVED' });
    expect({ usd: await f.balance(u, 'USD'), btc: await f.balance(u, 'BTC') }).toEqual(before);
    expect(await ordersOf(u)).toBe(0);
    // Refusals do not use the quote up: back within the bound, it fills at the quoted price.
    const o = await f.place(u, { amount: '0.01', quoteId: q.id });
    expectFillEqualsQuote(o, q);
    await f.tick({ bitcoin: '50000' });
  });

  it('refuses an expired quote with QUOTE_EXPIRED', async () => {
    const u = await f.user({ USD: '1000' });
    const q = await quote(u, { amount: '0.01' });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.parse(q.expiresAt) + 1);
      await f.tick({ bitcoin: '50000' }); // a fresh price at the later time
      await expect(f.place(u, { amount: '0.01', quoteId: q.id })).rejects.toMatchObject({ code: 'QUOTE_EXPIRED', statusCode: 409 });
    } finally {
      vi.useRealTimers();
      await f.tick({ bitcoin: '50000' });
    }
    expect(await f.balance(u, 'USD')).toEqual({ available: '1000', locked: '0' });
    expect(await ordersOf(u)).toBe(0);
  });

  it('a quote the balance cannot pay is refused in words, with the figures', async () => {
    const u = await f.user({ USD: '400', BTC: '0.001' });
    const buy = quote(u, { amount: '0.01' }); // 500.00 + 0.50 fee at $50,000
    await expect(buy).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      message: 'Insufficient funds: this order needs $500.50 (fee included) and $400.00 is available',
      details: { asset: 'USD', available: '400', required: '500.5' },
    });
    await expect(quote(u, { side: 'sell', amount: '0.002' })).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      message: 'Insufficient funds: this order needs 0.002 BTC and 0.001 BTC is available',
    });
    expect(await f.balance(u, 'USD')).toEqual({ available: '400', locked: '0' });
  });

  it('a quote fills one order: reused is QUOTE_USED; an order refused for funds gives it back', async () => {
    const u = await f.user({ USD: '600' });
    const q = await quote(u, { amount: '0.01' }); // 500.50 USD
    // The balance shrinks after the quote (a resting buy holds $200.20): the fill is refused, in words.
    const resting = await f.place(u, { type: 'limit', price: '40000', amount: '0.005' });
    await expect(f.place(u, { amount: '0.01', quoteId: q.id })).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      message: 'Insufficient funds: this order needs $500.50 (fee included) and $399.80 is available',
    });
    await f.orders.cancel(u, resting.id);
    expectFillEqualsQuote(await f.place(u, { amount: '0.01', quoteId: q.id }), q);
    await expect(f.place(u, { amount: '0.01', quoteId: q.id })).rejects.toMatchObject({ code: 'QUOTE_USED', statusCode: 409 });
    expect(await f.balance(u, 'BTC')).toEqual({ available: '0.01', locked: '0' });
  });

  it('two orders racing for one quote: exactly one fills', async () => {
    const u = await f.user({ USD: '2000' });
    const q = await quote(u, { amount: '0.01' });
    const results = await Promise.allSettled([1, 2, 3].map(() => f.place(u, { amount: '0.01', quoteId: q.id })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['QUOTE_USED', 'QUOTE_USED']);
    expect(await ordersOf(u)).toBe(1);
  });

  it("another user's quote is NOT_FOUND, and an order that is not the quoted one is refused", async () => {
    const alice = await f.user({ USD: '1000' });
    const bob = await f.user({ USD: '1000' });
    const q = await quote(alice, { amount: '0.01' });
    await expect(f.place(bob, { amount: '0.01', quoteId: q.id })).rejects.toMatchObject({ code: 'NOT_FOUND', statusCode: 404 });
    await expect(f.place(alice, { amount: '0.011', quoteId: q.id })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(f.place(alice, { side: 'sell', amount: '0.01', quoteId: q.id })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(f.place(alice, { amount: '0.01', quoteId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await ordersOf(bob)).toBe(0);
    expectFillEqualsQuote(await f.place(alice, { amount: '0.01', quoteId: q.id }), q);
  });

  it('quotes are in the shared cache: a quote issued by one machine is redeemed once by another', async () => {
    const pair = {
      symbol: 'BTC/USD',
      base: 'BTC',
      quote: 'USD',
      assetId: 'bitcoin',
      pricePrecision: 2,
      amountPrecision: 8,
      minAmount: '0.00001',
      minCost: '1',
      maxCost: '1000000',
    };
    const machineA = new QuoteBook(t.platform.cache);
    const machineB = new QuoteBook(t.platform.cache);
    const q = await machineA.issue(
      'u1',
      pair,
      { symbol: 'BTC/USD', side: 'buy', amount: '1' },
      { amount: new D(1), price: new D(100), feeRate: new D('0.001') },
    );
    const body = { symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '1', quoteId: q.id } as const;
    await expect(machineB.redeem('u1', pair, body, new D('100.2'))).resolves.toMatchObject({ price: new D(100) });
    await expect(machineA.redeem('u1', pair, body, new D(100))).rejects.toMatchObject({ code: 'QUOTE_USED' });
  });
});

describe('POST /api/quotes', () => {
  it('answers a quote in the contract shape; an order with it fills at the quote; bad input is a 400', async () => {
    const s = await signUpVerified(t);
    await t.platform.database.db.transaction((tx) => credit(tx, { userId: s.user.id, asset: 'USD', amount: '1000', reference: 'test:fund' }));
    const http = asUser(t, s);
    const res = await http.inject({ method: 'POST', url: '/api/quotes', payload: { symbol: 'BTC/USD', side: 'buy', amount: '0.01', maxSlippageBps: 25 } });
    expect(res.statusCode).toBe(201);
    const q = res.json() as Quote;
    expect(q).toMatchObject({ price: '50000', cost: '500.00', fee: { cost: '0.50' }, total: '500.50', maxSlippageBps: 25 });
    const order = await http.inject({
      method: 'POST',
      url: '/api/orders',
      payload: { symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.01', quoteId: q.id },
    });
    expect(order.statusCode).toBe(201);
    expectFillEqualsQuote(order.json(), q);
    for (const payload of [
      { symbol: 'BTC/USD', side: 'buy' },
      { symbol: 'BTC/USD', side: 'sell', quoteAmount: '10' },
      { symbol: 'BTC/USD', side: 'buy', amount: '0.01', maxSlippageBps: 5000 },
    ]) {
      const bad = await http.inject({ method: 'POST', url: '/api/quotes', payload });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('VALIDATION_ERROR');
    }
    const noQuote = await http.inject({
      method: 'POST',
      url: '/api/orders',
      payload: { symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.01', maxSlippageBps: 10 },
    });
    expect(noQuote.statusCode).toBe(400);
    const limit = await http.inject({
      method: 'POST',
      url: '/api/orders',
      payload: { symbol: 'BTC/USD', side: 'buy', type: 'limit', amount: '0.01', price: '1', quoteId: q.id },
    });
    expect(limit.statusCode).toBe(400);
    expect((await t.app.inject({ method: 'POST', url: '/api/quotes', payload: { symbol: 'BTC/USD', side: 'buy', amount: '1' } })).statusCode).toBe(401);
  });
});
