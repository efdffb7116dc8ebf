import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, createAdmin, signUpVerified, type TestSession } from '../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../test/helpers.ts';
import { credit } from './modules/ledger/ledger.service.ts';

/** The largest value NUMERIC(38,18) holds before the decimal point, and one digit more. */
const TWENTY = '99999999999999999999';
const TWENTY_ONE = '999999999999999999999';

let t: TestContext;
let alice: TestSession;
let bob: TestSession;

beforeAll(async () => {
  t = await createTestApp({ USE_MOCK_PRICES: 'true' });
  [alice, bob] = [await signUpVerified(t), await signUpVerified(t)];
  await t.platform.database.db.transaction(async (tx) => {
    await credit(tx, { userId: alice.user.id, asset: 'USD', amount: '1000', reference: 'test:bad-input' });
    await credit(tx, { userId: alice.user.id, asset: 'BTC', amount: '1', reference: 'test:bad-input' });
  });
});
afterAll(async () => {
  await t?.close();
});

/** Every amount and price field of the money routes, each with values beyond what the database or the asset holds. */
function attempts(huge: string) {
  return [
    { url: '/api/orders', payload: { symbol: 'BTC/USD', side: 'buy', type: 'limit', amount: huge, price: huge } },
    { url: '/api/orders', payload: { symbol: 'BTC/USD', side: 'sell', type: 'limit', amount: '0.01', price: huge } },
    { url: '/api/orders', payload: { symbol: 'BTC/USD', side: 'buy', type: 'limit', amount: huge, price: '1' } },
    { url: '/api/orders', payload: { symbol: 'BTC/USD', side: 'buy', type: 'market', quoteAmount: huge } },
    { url: '/api/orders', payload: { symbol: 'BTC/USD', side: 'buy', type: 'market', amount: huge } },
    { url: '/api/orders', payload: { symbol: 'BTC/USD', side: 'sell', type: 'stop_loss', amount: '0.01', triggerPrice: huge } },
    { url: '/api/orders', payload: { symbol: 'BTC/USD', side: 'buy', type: 'take_profit', amount: huge, triggerPrice: huge } },
    { url: '/api/wallet/withdrawals', payload: { asset: 'BTC', amount: huge, address: 'bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh' } },
    { url: '/api/wallet/transfers', payload: { recipientEmail: bob.user.email, asset: 'USD', amount: huge } },
    { url: '/api/wallet/deposits', payload: { amountUsd: huge, payCurrency: 'btc' } },
    { url: '/api/alerts', payload: { assetId: 'bitcoin', condition: 'above', targetPrice: huge, channels: ['in_app'] } },
  ];
}

describe('deeply nested JSON', () => {
  it('is a 400 on any route, never walked to the bottom or silently accepted', async () => {
    // Written as text: JSON.stringify itself cannot go that deep.
    const deep = `${'{"a":'.repeat(5000)}"x"${'}'.repeat(5000)}`;
    const alert = { assetId: 'bitcoin', condition: 'above', targetPrice: '1000000', channels: ['in_app'] };
    const json = { 'content-type': 'application/json' };
    const res = await asUser(t, alice).inject({
      method: 'POST',
      url: '/api/alerts',
      headers: json,
      payload: `${JSON.stringify(alert).slice(0, -1)},"extra":${deep}}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_ERROR', message: 'The request nests objects or arrays more than 32 levels deep' });
    const arrays = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    expect((await asUser(t, alice).inject({ method: 'POST', url: '/api/orders', headers: json, payload: `{"symbol":${arrays}}` })).statusCode).toBe(400);
    // Ordinary nesting is fine.
    expect((await asUser(t, alice).inject({ method: 'POST', url: '/api/alerts', payload: alert })).statusCode).toBe(201);
  });
});

describe('amounts beyond what NUMERIC(38,18) or the asset holds', () => {
  for (const huge of [TWENTY, `${TWENTY}.999999999999999999`, TWENTY_ONE, '1e30', '100000000000000000000000000000000000000000']) {
    it(`are a 4xx in the contract's error shape, never a 500: ${huge}`, async () => {
      for (const a of attempts(huge)) {
        const res = await asUser(t, alice).inject({ method: 'POST', url: a.url, payload: a.payload });
        // An alert at a 20-digit price fits the column and is harmless: it may be stored. Nothing else may pass.
        const allowed = a.url === '/api/alerts' && huge.length <= 39 && !huge.includes('e') ? [201, 400, 422] : [400, 422];
        expect(allowed, `${a.url} ${JSON.stringify(a.payload)}: ${res.body}`).toContain(res.statusCode);
        if (res.statusCode === 201) continue;
        const body = res.json();
        expect(body.error).toMatchObject({ code: expect.any(String), message: expect.any(String), requestId: expect.any(String) });
        // Written for a person: no SQL, no stack, no "numeric field overflow".
        expect(body.error.message).not.toMatch(/numeric|overflow|sql|select|insert|stack/i);
      }
    });
  }

  it('says what the limit is when a number has too many digits', async () => {
    const res = await asUser(t, alice).inject({
      method: 'POST',
      url: '/api/wallet/transfers',
      payload: { recipientEmail: bob.user.email, asset: 'USD', amount: TWENTY_ONE },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([
      { path: ['body', 'amount'], field: 'Amount', message: expect.stringMatching(/at most 20 digits before the decimal point/) },
    ]);
    const order = await asUser(t, alice).inject({
      method: 'POST',
      url: '/api/orders',
      payload: { symbol: 'BTC/USD', side: 'buy', type: 'limit', amount: TWENTY, price: TWENTY },
    });
    expect(order.statusCode).toBe(400);
    expect(order.json().error.message).toMatch(/order value .* above the largest order this platform takes, \$1,000,000,000\.00$/i);
  });

  it('still accepts ordinary orders and refuses an admin credit beyond the deposit', async () => {
    const ok = await asUser(t, alice).inject({
      method: 'POST',
      url: '/api/orders',
      payload: { symbol: 'BTC/USD', side: 'buy', type: 'limit', amount: '0.001', price: '1000' },
    });
    expect(ok.statusCode, ok.body).toBe(201);
    const admin = await createAdmin(t);
    const res = await asUser(t, admin).inject({
      method: 'POST',
      url: '/api/admin/deposits/00000000-0000-4000-8000-000000000000/resolve',
      payload: { note: 'x', creditUsd: TWENTY_ONE },
    });
    expect(res.statusCode).toBe(400);
  });
});
