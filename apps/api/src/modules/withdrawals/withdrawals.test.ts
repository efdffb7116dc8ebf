import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { asUser, createAdmin, enableTwoFactor, expireStepUp, signUpVerified, stepUp, type TestSession, totpCode } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { credit, reconcile } from '../ledger/index.ts';

let t: TestContext;
let admin1: TestSession;
let admin2: TestSession;
const BTC_ADDR = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq';

beforeAll(async () => {
  t = await createTestApp({ WITHDRAWAL_DUAL_APPROVAL_USD: '10000', WITHDRAWAL_DAILY_LIMIT_USD: '40000', WITHDRAWAL_FEES: 'BTC:0.0005' });
  admin1 = await createAdmin(t);
  admin2 = await createAdmin(t);
  // Approving, sending and crediting need a fresh step-up with the second factor (admin.routes.ts).
  for (const a of [admin1, admin2]) await stepUp(t, a);
});
afterAll(async () => {
  await t.close();
});
afterEach(async () => {
  const r = await reconcile(t.platform.database.db);
  expect(r.items.filter((i) => i.drift !== '0')).toEqual([]);
  expect(r.ok).toBe(true);
});

async function btcPrice(priceUsd: string) {
  const res = await t.app.inject({ method: 'POST', url: '/api/dev/market/bitcoin', payload: { priceUsd, holdMs: 600_000 } });
  expect(res.statusCode, res.body).toBe(200);
}

async function funded(btc: string): Promise<TestSession> {
  const u = await signUpVerified(t);
  await credit(t.platform.database.db, { userId: u.user.id, asset: 'BTC', amount: btc, reference: `test-funding:${u.user.id}` });
  return u;
}

async function btc(u: TestSession): Promise<{ available: string; locked: string }> {
  const res = await asUser(t, u).inject({ method: 'GET', url: '/api/wallet/balances' });
  return res.json().items.find((i: { asset: string }) => i.asset === 'BTC') ?? { available: '0', locked: '0' };
}

const withdraw = (u: TestSession, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
  asUser(t, u).inject({ method: 'POST', url: '/api/wallet/withdrawals', payload: { asset: 'BTC', address: BTC_ADDR, ...payload }, headers });

describe('withdrawals', () => {
  it('locks amount + fee, then an admin approves and completes it with a tx hash', async () => {
    await btcPrice('50000');
    const u = await funded('1');
    const res = await withdraw(u, { amount: '0.1' });
    expect(res.statusCode, res.body).toBe(201);
    const w = res.json();
    expect(w).toMatchObject({
      status: 'pending_review',
      amount: '0.1',
      fee: '0.0005',
      total: '0.1005',
      network: 'bitcoin',
      amountUsd: '5000.00',
      requiredApprovals: 1,
    });
    expect(await btc(u)).toMatchObject({ available: '0.8995', locked: '0.1005' });

    const queue = await asUser(t, admin1).inject({ method: 'GET', url: '/api/admin/withdrawals?status=pending_review&limit=200' });
    expect(queue.json().items.map((i: { id: string }) => i.id)).toContain(w.id);
    const early = await asUser(t, admin1).inject({ method: 'POST', url: `/api/admin/withdrawals/${w.id}/complete`, payload: { txHash: 'a'.repeat(64) } });
    expect(early.statusCode).toBe(422);
    const ok = await asUser(t, admin1).inject({ method: 'POST', url: `/api/admin/withdrawals/${w.id}/approve` });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'approved', approvedBy: [admin1.user.id] });
    const twice = await asUser(t, admin1).inject({ method: 'POST', url: `/api/admin/withdrawals/${w.id}/approve` });
    expect(twice.statusCode).toBe(422);
    const done = await asUser(t, admin2).inject({ method: 'POST', url: `/api/admin/withdrawals/${w.id}/complete`, payload: { txHash: 'b'.repeat(64) } });
    expect(done.json()).toMatchObject({ status: 'completed', txHash: 'b'.repeat(64) });
    expect(await btc(u)).toMatchObject({ available: '0.8995', locked: '0' });
    const notes = (await asUser(t, u).inject({ method: 'GET', url: '/api/notifications' })).json().items.map((n: { title: string }) => n.title);
    expect(notes).toEqual(['Withdrawal sent', 'Withdrawal approved', 'Withdrawal requested']);
    const mail = await t.app.inject({ method: 'GET', url: `/api/dev/outbox?to=${encodeURIComponent(u.user.email)}` });
    expect(mail.json().items.map((m: { subject: string }) => m.subject)).toContain('CryptoVault: Withdrawal sent');
    // Its own page (where the history row leads): the owner reads it; anyone else, an operator's session included
    // on this user route, gets the same 404 as for an unknown id.
    const one = await asUser(t, u).inject({ method: 'GET', url: `/api/wallet/withdrawals/${w.id}` });
    expect(one.json()).toMatchObject({ id: w.id, status: 'completed', fee: '0.0005', txHash: 'b'.repeat(64), approvals: 1 });
    const history = (await asUser(t, u).inject({ method: 'GET', url: '/api/transactions?type=withdrawal' })).json().items;
    expect(history[0]).toMatchObject({ type: 'withdrawal', link: `/withdrawals/${w.id}` });
    const stranger = await funded('0.001');
    for (const who of [stranger, admin1]) {
      const res = await asUser(t, who).inject({ method: 'GET', url: `/api/wallet/withdrawals/${w.id}` });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    }
    expect((await asUser(t, u).inject({ method: 'GET', url: '/api/wallet/withdrawals/not-an-id' })).statusCode).toBe(400);
  });

  it('needs two different admins at or above WITHDRAWAL_DUAL_APPROVAL_USD; the same admin twice is refused', async () => {
    await btcPrice('50000');
    const u = await funded('1');
    const w = (await withdraw(u, { amount: '0.3' })).json();
    expect(w).toMatchObject({ requiredApprovals: 2, amountUsd: '15000.00' });
    const first = await asUser(t, admin1).inject({ method: 'POST', url: `/api/admin/withdrawals/${w.id}/approve` });
    expect(first.json()).toMatchObject({ status: 'pending_review', approvals: 1 });
    const again = await asUser(t, admin1).inject({ method: 'POST', url: `/api/admin/withdrawals/${w.id}/approve` });
    expect(again.statusCode).toBe(409);
    const second = await asUser(t, admin2).inject({ method: 'POST', url: `/api/admin/withdrawals/${w.id}/approve` });
    expect(second.json()).toMatchObject({ status: 'approved', approvals: 2 });
  });

  it('reject and cancel release exactly what was locked', async () => {
    await btcPrice('50000');
    const u = await funded('0.5');
    const a = (await withdraw(u, { amount: '0.1' })).json();
    const b = (await withdraw(u, { amount: '0.2' })).json();
    expect(await btc(u)).toMatchObject({ available: '0.199', locked: '0.301' });
    const rej = await asUser(t, admin1).inject({
      method: 'POST',
      url: `/api/admin/withdrawals/${a.id}/reject`,
      payload: { reason: 'address on a sanctions list' },
    });
    expect(rej.json()).toMatchObject({ status: 'rejected', rejectReason: 'address on a sanctions list' });
    const can = await asUser(t, u).inject({ method: 'POST', url: `/api/wallet/withdrawals/${b.id}/cancel` });
    expect(can.json().status).toBe('canceled');
    expect(await btc(u)).toMatchObject({ available: '0.5', locked: '0' });
    expect((await asUser(t, u).inject({ method: 'POST', url: `/api/wallet/withdrawals/${b.id}/cancel` })).statusCode).toBe(422);
    const other = await signUpVerified(t);
    expect((await asUser(t, other).inject({ method: 'POST', url: `/api/wallet/withdrawals/${a.id}/cancel` })).statusCode).toBe(404);
    const list = (await asUser(t, u).inject({ method: 'GET', url: '/api/wallet/withdrawals' })).json();
    expect(list.items.map((i: { status: string }) => i.status)).toEqual(['canceled', 'rejected']);
  });

  it('two concurrent withdrawals that together exceed the balance: one is refused', async () => {
    await btcPrice('50000');
    const u = await funded('0.3');
    const [r1, r2] = await Promise.all([withdraw(u, { amount: '0.2' }), withdraw(u, { amount: '0.2' })]);
    expect([r1.statusCode, r2.statusCode].sort()).toEqual([201, 422]);
    expect([r1, r2].find((r) => r.statusCode === 422)?.json().error.code).toBe('INSUFFICIENT_FUNDS');
    expect(await btc(u)).toMatchObject({ available: '0.0995', locked: '0.2005' });
  });

  it('validates addresses, assets and amounts; enforces the daily limit', async () => {
    await btcPrice('50000');
    const u = await funded('2');
    expect((await withdraw(u, { amount: '0.1', address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr' })).statusCode).toBe(400);
    expect((await withdraw(u, { amount: '0.1', address: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' })).statusCode).toBe(400);
    expect((await withdraw(u, { amount: '-1' })).statusCode).toBe(400);
    expect((await withdraw(u, { amount: '0.000000001' })).statusCode).toBe(400);
    expect((await withdraw(u, { asset: 'XRP', amount: '10', address: 'rEb8TK3gBgk5auZkwc6sHnwrGVJH8DuaLh' })).statusCode).toBe(400);
    expect((await withdraw(u, { amount: '0.5' })).statusCode).toBe(201);
    const over = await withdraw(u, { amount: '0.4' });
    expect(over.statusCode).toBe(422);
    expect(over.json().error.code).toBe('LIMIT_EXCEEDED');
  });

  it('needs a fresh step-up (a second factor when 2FA is on), and replays an Idempotency-Key without a new one', async () => {
    await btcPrice('50000');
    const u = await enableTwoFactor(t, await funded('1'));
    await expireStepUp(t, u);
    const stale = await withdraw(u, { amount: '0.01' });
    expect(stale.statusCode).toBe(403);
    expect(stale.json().error).toMatchObject({ code: 'STEP_UP_REQUIRED', details: { methods: ['totp'], ttlSeconds: 300 } });
    // The password alone is not a step-up for an account with 2FA; a wrong code is refused.
    expect((await asUser(t, u).inject({ method: 'POST', url: '/api/auth/step-up', payload: { password: u.password } })).statusCode).toBe(200);
    expect((await withdraw(u, { amount: '0.01' })).json().error.code).toBe('STEP_UP_REQUIRED');
    expect((await asUser(t, u).inject({ method: 'POST', url: '/api/auth/step-up', payload: { totpCode: '000000' } })).statusCode).toBe(401);
    // The old per-request code is no longer a way around it.
    expect((await withdraw(u, { amount: '0.01', totpCode: await totpCode(u.totpSecret!, 0) })).json().error.code).toBe('STEP_UP_REQUIRED');
    await stepUp(t, u);
    const first = await withdraw(u, { amount: '0.01' }, { 'idempotency-key': 'wd-1' });
    expect(first.statusCode, first.body).toBe(201);
    await expireStepUp(t, u);
    const replay = await withdraw(u, { amount: '0.01' }, { 'idempotency-key': 'wd-1' });
    expect(replay.statusCode).toBe(201);
    expect(replay.json().id).toBe(first.json().id);
    expect((await withdraw(u, { amount: '0.02' }, { 'idempotency-key': 'wd-1' })).statusCode).toBe(409);
    expect((await withdraw(u, { amount: '0.01' }, { 'idempotency-key': 'wd-2' })).json().error.code).toBe('STEP_UP_REQUIRED');
    expect(await btc(u)).toMatchObject({ locked: '0.0105' });
    const rows = (await t.platform.database.db.execute(sql`select count(*)::int as n from withdrawals where user_id = ${u.user.id}`)) as unknown as {
      rows: { n: number }[];
    };
    expect(rows.rows[0]?.n).toBe(1);
  });
});
