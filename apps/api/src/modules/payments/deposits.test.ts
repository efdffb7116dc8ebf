import { createHmac } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { asUser, createAdmin, signUpVerified, type TestSession } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { reconcile } from '../ledger/index.ts';
import { runPaymentMaintenance } from './maintenance.ts';
import { createProvider } from './payments.routes.ts';
import { signIpn } from './signature.ts';

let t: TestContext;
let secret: string;

beforeAll(async () => {
  t = await createTestApp();
  secret = t.config.payments.ipnSecret;
});
afterAll(async () => {
  await t.close();
});
afterEach(async () => {
  const r = await reconcile(t.platform.database.db);
  expect(r.items.filter((i) => i.drift !== '0')).toEqual([]);
  expect(r.ok).toBe(true);
});

interface Dep {
  id: string;
  providerPaymentId: string;
  payAmount: string;
  payCurrency: string;
  amountUsd: string;
}

async function newDeposit(user: TestSession, amountUsd = '25.00', payCurrency = 'usdt'): Promise<Dep> {
  const res = await asUser(t, user).inject({ method: 'POST', url: '/api/wallet/deposits', payload: { amountUsd, payCurrency } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

function ipn(dep: Dep, status: string, extra: Record<string, unknown> = {}) {
  return {
    payment_id: Number(dep.providerPaymentId),
    payment_status: status,
    price_amount: Number(dep.amountUsd),
    price_currency: 'usd',
    pay_amount: Number(dep.payAmount),
    actually_paid: Number(dep.payAmount),
    pay_currency: dep.payCurrency,
    order_id: dep.id,
    fee: { currency: dep.payCurrency, depositFee: 0.01, withdrawalFee: 0, serviceFee: 0.005 },
    ...extra,
  };
}

function sendIpn(body: unknown, sig: string | undefined, raw = JSON.stringify(body)) {
  return t.app.inject({
    method: 'POST',
    url: '/api/webhooks/nowpayments',
    headers: { 'content-type': 'application/json', ...(sig === undefined ? {} : { 'x-nowpayments-sig': sig }) },
    payload: raw,
  });
}

async function usdBalance(user: TestSession): Promise<string> {
  const res = await asUser(t, user).inject({ method: 'GET', url: '/api/wallet/balances' });
  const usd = res.json().items.find((i: { asset: string }) => i.asset === 'USD');
  return usd?.available ?? '0';
}

async function creditsFor(depositId: string): Promise<number> {
  const r = (await t.platform.database.db.execute(
    sql`select count(*)::int as n from journal_entries where reference = ${`deposit:${depositId}`}`,
  )) as unknown as {
    rows: { n: number }[];
  };
  return r.rows[0]!.n;
}

describe('deposits', () => {
  it('creates a deposit with the simulated provider, lists it, hides it from others', async () => {
    const alice = await signUpVerified(t);
    const dep = await newDeposit(alice, '25.00');
    expect(dep).toMatchObject({ status: 'waiting', amountUsd: '25.00', payCurrency: 'usdt', provider: 'simulated', review: null });
    expect(dep.providerPaymentId).toMatch(/^\d+$/);
    const list = await asUser(t, alice).inject({ method: 'GET', url: '/api/wallet/deposits' });
    expect(list.json().items.map((d: Dep) => d.id)).toEqual([dep.id]);
    expect((await asUser(t, alice).inject({ method: 'GET', url: `/api/wallet/deposits/${dep.id}` })).json().id).toBe(dep.id);
    const bob = await signUpVerified(t);
    expect((await asUser(t, bob).inject({ method: 'GET', url: `/api/wallet/deposits/${dep.id}` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/wallet/deposits' })).statusCode).toBe(401);
  });

  it('checks the minimum, the currency and the amount format', async () => {
    const u = await signUpVerified(t);
    const small = await asUser(t, u).inject({ method: 'POST', url: '/api/wallet/deposits', payload: { amountUsd: '0.50', payCurrency: 'usdt' } });
    expect(small.statusCode).toBe(422);
    expect(small.json().error.code).toBe('MIN_AMOUNT');
    const cur = await asUser(t, u).inject({ method: 'POST', url: '/api/wallet/deposits', payload: { amountUsd: '20', payCurrency: 'zzz' } });
    expect(cur.statusCode).toBe(400);
    for (const amountUsd of ['-5', '1e3', 'abc', '10.001']) {
      const r = await asUser(t, u).inject({ method: 'POST', url: '/api/wallet/deposits', payload: { amountUsd, payCurrency: 'usdt' } });
      expect(r.statusCode, amountUsd).toBe(400);
    }
  });

  it('honours Idempotency-Key', async () => {
    const u = await signUpVerified(t);
    const send = (amountUsd: string) =>
      asUser(t, u).inject({
        method: 'POST',
        url: '/api/wallet/deposits',
        headers: { 'idempotency-key': 'dep-key-1' },
        payload: { amountUsd, payCurrency: 'usdt' },
      });
    const a = await send('30');
    const b = await send('30');
    expect(a.statusCode).toBe(201);
    expect(b.json().id).toBe(a.json().id);
    expect((await send('31')).statusCode).toBe(409);
  });
});

describe('the payment callback', () => {
  it('refuses missing, forged and re-serialised signatures: 401 and nothing credited', async () => {
    const u = await signUpVerified(t);
    const dep = await newDeposit(u);
    const body = ipn(dep, 'finished');
    expect((await sendIpn(body, undefined)).statusCode).toBe(401);
    expect((await sendIpn(body, 'a'.repeat(128))).statusCode).toBe(401);
    expect((await sendIpn(body, signIpn(body, 'not-the-secret'))).statusCode).toBe(401);
    const unsorted = createHmac('sha512', secret).update(JSON.stringify(body)).digest('hex');
    expect((await sendIpn(body, unsorted)).statusCode).toBe(401);
    // Signed for one amount, delivered with another.
    expect((await sendIpn({ ...body, price_amount: 2500 }, signIpn(body, secret))).statusCode).toBe(401);
    expect(await usdBalance(u)).toBe('0');
    expect(await creditsFor(dep.id)).toBe(0);
    const stored = (await t.platform.database.db.execute(
      sql`select outcome from payment_webhook_inbox where payment_id is null and raw_body like ${`%${dep.providerPaymentId}%`}`,
    )) as unknown as { rows: { outcome: string }[] };
    expect(stored.rows.length).toBe(5);
    expect(new Set(stored.rows.map((r) => r.outcome))).toEqual(new Set(['invalid_signature']));
  });

  it('credits once for the same finished callback ten times at once, nested fee included', async () => {
    const u = await signUpVerified(t);
    const dep = await newDeposit(u, '40.00');
    const body = ipn(dep, 'finished');
    const sig = signIpn(body, secret);
    const results = await Promise.all(Array.from({ length: 10 }, () => sendIpn(body, sig)));
    expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    expect(await usdBalance(u)).toBe('40');
    expect(await creditsFor(dep.id)).toBe(1);
    const after = (await asUser(t, u).inject({ method: 'GET', url: `/api/wallet/deposits/${dep.id}` })).json();
    expect(after).toMatchObject({ status: 'finished', creditedUsd: '40.00' });
  });

  it('moves statuses only forward: finished then confirming stays finished', async () => {
    const u = await signUpVerified(t);
    const dep = await newDeposit(u, '12.00');
    for (const status of ['confirming', 'finished', 'confirming', 'waiting', 'failed']) {
      const body = ipn(dep, status);
      expect((await sendIpn(body, signIpn(body, secret))).statusCode).toBe(200);
    }
    const after = (await asUser(t, u).inject({ method: 'GET', url: `/api/wallet/deposits/${dep.id}` })).json();
    expect(after.status).toBe('finished');
    expect(await usdBalance(u)).toBe('12');
    expect(await creditsFor(dep.id)).toBe(1);
  });

  it('answers 404 for an unknown payment id and logs it in the inbox', async () => {
    const body = { payment_id: 123456789012, payment_status: 'finished', price_amount: 10, pay_currency: 'btc' };
    const res = await sendIpn(body, signIpn(body, secret));
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
    const rows = (await t.platform.database.db.execute(sql`select outcome from payment_webhook_inbox where payment_id = '123456789012'`)) as unknown as {
      rows: { outcome: string }[];
    };
    expect(rows.rows.map((r) => r.outcome)).toContain('unknown_payment');
  });

  it('sends partially paid and mismatched payments to review without crediting', async () => {
    const u = await signUpVerified(t);
    const dep = await newDeposit(u, '50.00');
    const partial = ipn(dep, 'partially_paid', { actually_paid: 20 });
    expect((await sendIpn(partial, signIpn(partial, secret))).statusCode).toBe(200);
    expect((await asUser(t, u).inject({ method: 'GET', url: `/api/wallet/deposits/${dep.id}` })).json()).toMatchObject({
      status: 'partially_paid',
      review: 'pending',
    });
    const dep2 = await newDeposit(u, '50.00');
    const wrong = ipn(dep2, 'finished', { price_amount: 5000 });
    expect((await sendIpn(wrong, signIpn(wrong, secret))).statusCode).toBe(200);
    expect((await asUser(t, u).inject({ method: 'GET', url: `/api/wallet/deposits/${dep2.id}` })).json()).toMatchObject({
      status: 'finished',
      review: 'pending',
      creditedUsd: null,
    });
    expect(await usdBalance(u)).toBe('0');
    // The operator reads why, in money words, with the provider's field named.
    const admin = await createAdmin(t);
    const queue = (await asUser(t, admin).inject({ method: 'GET', url: '/api/admin/deposits?review=pending&limit=200' })).json();
    expect(queue.items.find((i: { id: string }) => i.id === dep.id)?.reviewReason).toMatch(/^partially paid: 20 USDT of [\d.]+ USDT$/);
    expect(queue.items.find((i: { id: string }) => i.id === dep2.id)?.reviewReason).toBe(
      'finished but the provider reports a price of $5,000.00 (price_amount) for this $50.00 deposit; nothing was credited',
    );
  });

  it('rejects a body that is not JSON, answering fast', async () => {
    const t0 = Date.now();
    const res = await sendIpn(null, 'x', '{"payment_id":');
    expect(res.statusCode).toBe(400);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});

describe('embedded mode end to end', () => {
  it('POST /api/dev/deposits/:id/complete credits through the real webhook: balance, transactions, notifications', async () => {
    const u = await signUpVerified(t);
    const dep = await newDeposit(u, '75.50');
    const res = await asUser(t, u).inject({ method: 'POST', url: `/api/dev/deposits/${dep.id}/complete`, payload: {} });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'finished', creditedUsd: '75.50' });
    expect(await usdBalance(u)).toBe('75.5');
    const notes = (await asUser(t, u).inject({ method: 'GET', url: '/api/notifications' })).json();
    expect(notes.items[0]).toMatchObject({ type: 'deposit', title: 'Deposit credited', readAt: null });
    expect((await asUser(t, u).inject({ method: 'GET', url: '/api/notifications/unread-count' })).json().count).toBe(1);
    const again = await asUser(t, u).inject({ method: 'POST', url: `/api/dev/deposits/${dep.id}/complete`, payload: {} });
    expect(again.statusCode).toBe(200);
    expect(await usdBalance(u)).toBe('75.5');
    const tx = await asUser(t, u).inject({ method: 'GET', url: '/api/transactions' });
    if (tx.statusCode === 200) expect(JSON.stringify(tx.json())).toContain('deposit');
    const other = await signUpVerified(t);
    expect((await asUser(t, other).inject({ method: 'POST', url: `/api/dev/deposits/${dep.id}/complete`, payload: {} })).statusCode).toBe(404);
  });

  it('expires unpaid deposits past their expiry and keeps them expired', async () => {
    const u = await signUpVerified(t);
    const dep = await newDeposit(u, '15.00');
    await t.platform.database.db.execute(sql`update deposits set expires_at = now() - interval '2 hours' where id = ${dep.id}`);
    const report = await runPaymentMaintenance({ platform: t.platform, provider: createProvider(t.platform) });
    expect(report.expired).toBeGreaterThanOrEqual(1);
    const after = (await asUser(t, u).inject({ method: 'GET', url: `/api/wallet/deposits/${dep.id}` })).json();
    expect(after.status).toBe('expired');
    const late = ipn(dep, 'finished');
    expect((await sendIpn(late, signIpn(late, secret))).statusCode).toBe(200);
    expect(await usdBalance(u)).toBe('0');
  });
});
