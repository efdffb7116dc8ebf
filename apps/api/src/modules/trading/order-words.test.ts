import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, signUpVerified, type TestSession } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { credit } from '../ledger/index.ts';

// Issue 20: an order's refusals read as sentences for a person, with amounts formatted by currency ("$1.00",
// "0.00001 BTC") and fields named in words; the stable `code` stays. Nothing is placed by a refused order.
let t: TestContext;
let u: TestSession;

beforeAll(async () => {
  t = await createTestApp();
  const res = await t.app.inject({ method: 'POST', url: '/api/dev/market/bitcoin', payload: { priceUsd: '90000', holdMs: 600_000 } });
  expect(res.statusCode, res.body).toBe(200);
  u = await signUpVerified(t);
  await credit(t.platform.database.db, { userId: u.user.id, asset: 'USD', amount: '1000', reference: `test-order-words:${u.user.id}` });
});
afterAll(async () => {
  await t?.close();
});

async function refused(payload: Record<string, unknown>): Promise<{ code: string; message: string }> {
  const res = await asUser(t, u).inject({
    method: 'POST',
    url: '/api/orders',
    headers: { 'idempotency-key': randomUUID() },
    payload: { symbol: 'BTC/USD', side: 'buy', ...payload },
  });
  expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
  expect(res.statusCode).toBeLessThan(500);
  return res.json().error;
}

describe('order refusals in words', () => {
  it('a refusal for funds says what the order needs and what is available, in the asset it takes, for every order type', async () => {
    const short = (message: string) => expect.objectContaining({ code: 'INSUFFICIENT_FUNDS', message });
    // A resting buy holds its value at the limit price and its fee: 0.02 × $80,000 + $1.60.
    expect(await refused({ type: 'limit', amount: '0.02', price: '80000' })).toEqual(
      short('Insufficient funds: this order needs $1,601.60 (fee included) and $1,000.00 is available'),
    );
    // A sell takes the coin; the dollars it brings in (less its fee) are never what is short.
    const bitcoin = short('Insufficient funds: this order needs 0.01 BTC and 0 BTC is available');
    expect(await refused({ side: 'sell', type: 'market', amount: '0.01' })).toEqual(bitcoin);
    expect(await refused({ side: 'sell', type: 'stop_loss', amount: '0.01', triggerPrice: '80000' })).toEqual(bitcoin);
    expect(await refused({ side: 'sell', type: 'oco', amount: '0.01', takeProfitPrice: '100000', stopLossPrice: '80000' })).toEqual(bitcoin);
    const balances = (await asUser(t, u).inject({ method: 'GET', url: '/api/wallet/balances' })).json() as {
      items: { asset: string; available: string; locked: string }[];
    };
    expect(balances.items.find((b) => b.asset === 'USD')).toMatchObject({ available: '1000', locked: '0' });
  });

  it('minimums and maximums are formatted by currency', async () => {
    expect(await refused({ type: 'market', amount: '0.000001' })).toEqual(
      expect.objectContaining({ code: 'MIN_AMOUNT', message: 'The smallest amount of BTC you can trade is 0.00001 BTC' }),
    );
    expect(await refused({ type: 'limit', amount: '0.00001', price: '1000' })).toEqual(
      expect.objectContaining({ code: 'MIN_AMOUNT', message: 'The smallest order on BTC/USD is worth $1.00' }),
    );
    expect(await refused({ type: 'market', quoteAmount: '0.50' })).toEqual(
      expect.objectContaining({ code: 'MIN_AMOUNT', message: 'The smallest order on BTC/USD is worth $1.00' }),
    );
    expect((await refused({ type: 'limit', amount: '100000', price: '90000' })).message).toBe(
      'The order value (amount × price) is above the largest order this platform takes, $1,000,000,000.00',
    );
  });

  it('too many decimals names the field in words and its currency', async () => {
    expect((await refused({ type: 'limit', amount: '0.001', price: '90000.123' })).message).toBe('Price (USD) can have at most 2 decimal places for BTC/USD');
    expect((await refused({ type: 'stop_loss', side: 'sell', amount: '0.001', triggerPrice: '80000.001' })).message).toBe(
      'Trigger price (USD) can have at most 2 decimal places for BTC/USD',
    );
    expect((await refused({ type: 'limit', amount: '0.000000001', price: '90000' })).message).toBe(
      'Amount (BTC) can have at most 8 decimal places for BTC/USD',
    );
  });

  it("a schema's whole-sentence message is not prefixed with the field's label", async () => {
    const e = await refused({ type: 'limit', amount: '0.001', price: '80000', quoteId: randomUUID() });
    expect(e).toEqual(expect.objectContaining({ code: 'VALIDATION_ERROR', message: 'Only market orders take a quote' }));
    const orders = await asUser(t, u).inject({ method: 'GET', url: '/api/orders' });
    expect(orders.json().items ?? orders.json()).toHaveLength(0);
  });

  it('candle queries name the field once', async () => {
    const bad = async (q: string) => (await t.app.inject({ method: 'GET', url: `/api/crypto/BTC/candles?${q}` })).json().error.message;
    expect(await bad('interval=2m')).toBe('Interval (in the query string) must be one of 1m, 5m, 15m, 1h, 4h or 1d');
    expect(await bad('limit=5000')).toBe('Limit (in the query string) must be at most 1000');
    expect(await bad('from=-5')).toBe('From (in the query string) must not be before 1970');
  });
});
