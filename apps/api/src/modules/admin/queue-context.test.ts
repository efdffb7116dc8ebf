import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, createAdmin, signUpVerified, stepUp, type TestSession } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { credit, D } from '../ledger/index.ts';

let t: TestContext;
let admin: TestSession;
const BTC_ADDR = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq';

beforeAll(async () => {
  t = await createTestApp({ WITHDRAWAL_FEES: 'BTC:0.0005' });
  admin = await createAdmin(t);
  // Approving, sending and crediting need a fresh step-up with the second factor (admin.routes.ts).
  await stepUp(t, admin);
  const res = await t.app.inject({ method: 'POST', url: '/api/dev/market/bitcoin', payload: { priceUsd: '50000', holdMs: 600_000 } });
  expect(res.statusCode, res.body).toBe(200);
});
afterAll(async () => {
  await t.close();
});

const get = (s: TestSession, url: string) => asUser(t, s).inject({ method: 'GET', url });
const post = (s: TestSession, url: string, payload?: Record<string, unknown>) => asUser(t, s).inject({ method: 'POST', url, payload });

async function requestWithdrawal(u: TestSession, amount: string): Promise<string> {
  const res = await post(u, '/api/wallet/withdrawals', { asset: 'BTC', address: BTC_ADDR, amount });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

describe('the console queues carry the account context', () => {
  it('a pending withdrawal shows who asks, what they hold of the asset, and what they moved before', async () => {
    const u = await signUpVerified(t, { name: 'Queue Context Quinn' });
    await credit(t.platform.database.db, { userId: u.user.id, asset: 'BTC', amount: '1', reference: `test-funding:${u.user.id}` });
    const done = await requestWithdrawal(u, '0.1');
    expect((await post(admin, `/api/admin/withdrawals/${done}/approve`)).statusCode).toBe(200);
    expect((await post(admin, `/api/admin/withdrawals/${done}/complete`, { txHash: 'b'.repeat(64) })).statusCode).toBe(200);
    const refused = await requestWithdrawal(u, '0.05');
    expect((await post(admin, `/api/admin/withdrawals/${refused}/reject`, { reason: 'address on a sanctions list' })).statusCode).toBe(200);
    const pending = await requestWithdrawal(u, '0.2');

    const queue = await get(admin, '/api/admin/withdrawals?status=pending_review&limit=200');
    expect(queue.statusCode, queue.body).toBe(200);
    const item = queue.json().items.find((i: { id: string }) => i.id === pending);
    // 1 − (0.1 + 0.0005) completed − (0.2 + 0.0005) held = 0.699; the rejected one's hold was released.
    expect(item.account).toEqual({
      name: 'Queue Context Quinn',
      email: u.user.email,
      createdAt: expect.any(String),
      emailVerified: true,
      twoFactorEnabled: false,
      suspended: false,
      frozen: false,
      tier: 0,
      balance: { asset: 'BTC', available: '0.699', locked: '0.2005' },
      deposits: { count: 0, creditedUsd: '0.00' },
      withdrawals: { completed30d: 1, completedUsd30d: '5000.00', rejected: 1 },
      trades: 0,
    });
    expect(Date.parse(item.account.createdAt)).toBeLessThanOrEqual(Date.now());
  });

  it('a deposit under review shows the account with its USD balance and deposit history', async () => {
    const u = await signUpVerified(t, { name: 'Deposit Dana' });
    const first = (await post(u, '/api/wallet/deposits', { amountUsd: '30', payCurrency: 'usdt' })).json();
    expect((await post(u, `/api/dev/deposits/${first.id}/complete`, { status: 'finished' })).statusCode).toBe(200);
    const partial = (await post(u, '/api/wallet/deposits', { amountUsd: '40', payCurrency: 'usdt' })).json();
    expect((await post(u, `/api/dev/deposits/${partial.id}/complete`, { status: 'partially_paid' })).statusCode).toBe(200);

    const queue = (await get(admin, '/api/admin/deposits?review=pending&limit=200')).json();
    const item = queue.items.find((d: { id: string }) => d.id === partial.id);
    expect(item.account).toMatchObject({
      name: 'Deposit Dana',
      balance: { asset: 'USD', available: '30', locked: '0' },
      deposits: { count: 1, creditedUsd: '30.00' },
      withdrawals: { completed30d: 0, completedUsd30d: '0.00', rejected: 0 },
    });
  });
});

describe('GET /api/admin/stats/series', () => {
  it('gives every UTC day of the range, oldest first, with today counting what just happened', async () => {
    const before = (await get(admin, '/api/admin/stats/series?days=7')).json();
    await signUpVerified(t);
    const res = await get(admin, '/api/admin/stats/series?days=7');
    expect(res.statusCode, res.body).toBe(200);
    const { days } = res.json();
    expect(days).toHaveLength(7);
    const today = new Date().toISOString().slice(0, 10);
    expect(days.at(-1).day).toBe(today);
    for (let i = 1; i < days.length; i++) expect(Date.parse(days[i].day) - Date.parse(days[i - 1].day)).toBe(86_400_000);
    expect(days.at(-1).signups).toBeGreaterThanOrEqual(before.days.at(-1).signups + 1);
    // The first test's completed withdrawal (5,000 USD) is today's, and amounts are cents.
    expect(new D(days.at(-1).withdrawalsCompletedUsd).gte(5000)).toBe(true);
    for (const d of days) expect(d.depositsCreditedUsd).toMatch(/^\d+\.\d{2}$/);
    expect((await get(admin, '/api/admin/stats/series')).json().days).toHaveLength(14);
  });

  it('answers a range it does not serve, and non-operators, in the error shape', async () => {
    const bad = await get(admin, '/api/admin/stats/series?days=3');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'VALIDATION_ERROR' });
    const u = await signUpVerified(t);
    expect((await get(u, '/api/admin/stats/series')).statusCode).toBe(403);
  });
});
