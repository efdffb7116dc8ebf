import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { asUser, signUpVerified, type TestSession } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { reconcile } from '../ledger/index.ts';
import { txHash } from './provider.ts';
import { signIpn } from './signature.ts';

// Issue 20: a deposit paid in a listed coin, credited in that coin (what the provider reports received), through
// a signed IPN; USD funding unchanged.
let t: TestContext;

beforeAll(async () => {
  t = await createTestApp();
  const res = await t.app.inject({ method: 'POST', url: '/api/dev/market/bitcoin', payload: { priceUsd: '100000', holdMs: 600_000 } });
  expect(res.statusCode, res.body).toBe(200);
});
afterAll(async () => {
  await t?.close();
});
afterEach(async () => {
  const r = await reconcile(t.platform.database.db);
  expect(r.items.filter((i) => i.drift !== '0')).toEqual([]);
  expect(r.ok).toBe(true);
});

async function balance(u: TestSession, asset: string): Promise<string> {
  const res = await asUser(t, u).inject({ method: 'GET', url: '/api/wallet/balances' });
  return res.json().items.find((i: { asset: string }) => i.asset === asset)?.available ?? '0';
}

function sendIpn(body: Record<string, unknown>) {
  return t.app.inject({
    method: 'POST',
    url: '/api/webhooks/nowpayments',
    headers: { 'content-type': 'application/json', 'x-nowpayments-sig': signIpn(body, t.config.payments.ipnSecret) },
    payload: JSON.stringify(body),
  });
}

describe('coin deposits', () => {
  it('credits the BTC the provider reports received, once, as a balanced entry; the notification says it in BTC', async () => {
    const u = await signUpVerified(t);
    const res = await asUser(t, u).inject({ method: 'POST', url: '/api/wallet/deposits', payload: { amountUsd: '50', payCurrency: 'btc', creditAs: 'coin' } });
    expect(res.statusCode, res.body).toBe(201);
    const dep = res.json();
    expect(dep).toMatchObject({ status: 'waiting', payCurrency: 'btc', payAmount: '0.0005', creditAsset: 'BTC', creditedAmount: null, creditedUsd: null });

    const confirming = { payment_id: Number(dep.providerPaymentId), payment_status: 'confirming', pay_currency: 'btc', price_amount: 50, actually_paid: 0 };
    expect((await sendIpn(confirming)).statusCode).toBe(200);
    expect((await asUser(t, u).inject({ method: 'GET', url: `/api/wallet/deposits/${dep.id}` })).json()).toMatchObject({
      status: 'confirming',
      creditedAmount: null,
      txHash: null,
    });
    // The provider repeats the status with the paying transaction: a repeat changes nothing else, the hash is kept.
    const HASH = 'f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16';
    expect((await sendIpn({ ...confirming, payin_hash: HASH })).statusCode).toBe(200);
    expect((await asUser(t, u).inject({ method: 'GET', url: `/api/wallet/deposits/${dep.id}` })).json()).toMatchObject({
      status: 'confirming',
      txHash: HASH,
    });

    // A little more arrived than quoted; NOWPayments' outcome (after its fees) is kept in the ledger memo only.
    const finished = {
      ...confirming,
      payment_status: 'finished',
      pay_amount: 0.0005,
      actually_paid: 0.00050123,
      outcome_amount: 0.000495,
      outcome_currency: 'btc',
      payin_hash: HASH,
    };
    expect((await sendIpn(finished)).statusCode).toBe(200);
    expect((await sendIpn(finished)).statusCode).toBe(200);
    expect(await balance(u, 'BTC')).toBe('0.00050123');
    expect(await balance(u, 'USD')).toBe('0');
    const after = (await asUser(t, u).inject({ method: 'GET', url: `/api/wallet/deposits/${dep.id}` })).json();
    expect(after).toMatchObject({ status: 'finished', creditAsset: 'BTC', creditedAmount: '0.00050123', creditedUsd: null });
    // The paying transaction, for the explorer link; a hash that is not one is never stored.
    expect(after.txHash).toBe(finished.payin_hash);
    expect([txHash('<script>alert(1)</script>'), txHash('0xabc'), txHash(42), txHash(`0x${'ab'.repeat(32)}`)]).toEqual([
      null,
      null,
      null,
      `0x${'ab'.repeat(32)}`,
    ]);
    const notes = (await asUser(t, u).inject({ method: 'GET', url: '/api/notifications' })).json();
    expect(notes.items[0]).toMatchObject({ title: 'Deposit credited', body: 'Your deposit of 0.00050123 BTC has been credited to your balance.' });
  });

  it('through the simulated provider (dev complete) too; USD funding stays the default', async () => {
    const u = await signUpVerified(t);
    const coin = (
      await asUser(t, u).inject({ method: 'POST', url: '/api/wallet/deposits', payload: { amountUsd: '20', payCurrency: 'btc', creditAs: 'coin' } })
    ).json();
    const done = await asUser(t, u).inject({ method: 'POST', url: `/api/dev/deposits/${coin.id}/complete`, payload: {} });
    expect(done.json()).toMatchObject({ status: 'finished', creditedAmount: '0.0002', txHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const usd = (await asUser(t, u).inject({ method: 'POST', url: '/api/wallet/deposits', payload: { amountUsd: '25000', payCurrency: 'btc' } })).json();
    expect(usd.creditAsset).toBe('USD');
    await asUser(t, u).inject({ method: 'POST', url: `/api/dev/deposits/${usd.id}/complete`, payload: {} });
    expect([await balance(u, 'BTC'), await balance(u, 'USD')]).toEqual(['0.0002', '25000']);
    const notes = (await asUser(t, u).inject({ method: 'GET', url: '/api/notifications' })).json();
    expect(notes.items[0].body).toBe('Your deposit of $25,000.00 has been credited to your balance.');
  });

  it('a finished coin deposit without an amount received goes to review, nothing credited', async () => {
    const u = await signUpVerified(t);
    const dep = (
      await asUser(t, u).inject({ method: 'POST', url: '/api/wallet/deposits', payload: { amountUsd: '30', payCurrency: 'btc', creditAs: 'coin' } })
    ).json();
    expect((await sendIpn({ payment_id: Number(dep.providerPaymentId), payment_status: 'finished', pay_currency: 'btc', price_amount: 30 })).statusCode).toBe(
      200,
    );
    expect((await asUser(t, u).inject({ method: 'GET', url: `/api/wallet/deposits/${dep.id}` })).json()).toMatchObject({
      review: 'pending',
      creditedAmount: null,
    });
    expect(await balance(u, 'BTC')).toBe('0');
  });

  it('far more coin than quoted goes to review, nothing credited: the tier allowance was reserved for the quote', async () => {
    const u = await signUpVerified(t);
    const dep = (
      await asUser(t, u).inject({ method: 'POST', url: '/api/wallet/deposits', payload: { amountUsd: '20', payCurrency: 'btc', creditAs: 'coin' } })
    ).json();
    expect(dep.payAmount).toBe('0.0002');
    const body = { payment_id: Number(dep.providerPaymentId), payment_status: 'finished', pay_currency: 'btc', price_amount: 20, pay_amount: 0.0002 };
    // 1% over the quote is credited as it came; 50 BTC for a $20 quote is not.
    expect((await sendIpn({ ...body, actually_paid: 50 })).statusCode).toBe(200);
    const seen = (await asUser(t, u).inject({ method: 'GET', url: `/api/wallet/deposits/${dep.id}` })).json();
    expect(seen).toMatchObject({ review: 'pending', creditedAmount: null });
    expect(await balance(u, 'BTC')).toBe('0');
  });

  it('states the minimum payment with its currency and in dollars', async () => {
    const u = await signUpVerified(t);
    const res = await asUser(t, u).inject({ method: 'POST', url: '/api/wallet/deposits', payload: { amountUsd: '0.5', payCurrency: 'btc' } });
    expect(res.json().error).toMatchObject({ code: 'MIN_AMOUNT', message: 'The minimum payment in BTC is 0.00001 BTC (about $1.00)' });
  });
});
