import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { asUser, changeAuthRows, createAdmin, DEFAULT_PASSWORD, signIn, signUpVerified, stepUp, type TestSession } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { reconcile } from '../ledger/index.ts';
import { signIpn } from '../payments/index.ts';

let t: TestContext;
let admin: TestSession;

beforeAll(async () => {
  t = await createTestApp();
  admin = await createAdmin(t);
  // Approving, sending and crediting need a fresh step-up with the second factor (admin.routes.ts).
  await stepUp(t, admin);
});
afterAll(async () => {
  await t.close();
});
afterEach(async () => {
  expect((await reconcile(t.platform.database.db)).ok).toBe(true);
});

const get = (s: TestSession, url: string) => asUser(t, s).inject({ method: 'GET', url });
const post = (s: TestSession, url: string, payload?: unknown) => asUser(t, s).inject({ method: 'POST', url, payload: payload as Record<string, unknown> });

describe('admin API', () => {
  it('403 for users and for admins without 2FA; 401 anonymous', async () => {
    const u = await signUpVerified(t);
    for (const url of ['/api/admin/users', '/api/admin/stats', '/api/admin/audit', '/api/admin/withdrawals', '/api/admin/deposits']) {
      expect((await get(u, url)).statusCode, url).toBe(403);
      expect((await t.app.inject({ method: 'GET', url })).statusCode, url).toBe(401);
    }
    expect((await post(u, `/api/admin/users/${u.user.id}/suspend`, { reason: 'nope' })).statusCode).toBe(403);
    const no2fa = await signUpVerified(t);
    await changeAuthRows(t, no2fa.user.id, `update users set role = 'admin' where id = '${no2fa.user.id}'`);
    // A fresh session of the promoted account: refused for the missing 2FA, not for the role.
    const fresh = await signIn(t, no2fa.user.email, DEFAULT_PASSWORD);
    const refused = await get(fresh, '/api/admin/stats');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/two-factor/i);
  });

  it('searches users, shows detail with balances, suspends (login blocked, sessions revoked), unsuspends, forces logout; all audited', async () => {
    const u = await signUpVerified(t, { name: 'Suspicious Sam' });
    const found = (await get(admin, `/api/admin/users?q=${encodeURIComponent(u.user.email)}`)).json();
    expect(found.items).toHaveLength(1);
    expect(found.items[0]).toMatchObject({ id: u.user.id, suspended: false, emailVerified: true });
    const detail = (await get(admin, `/api/admin/users/${u.user.id}`)).json();
    expect(detail).toMatchObject({ id: u.user.id, activeSessions: 1, pendingWithdrawals: 0 });
    expect(Array.isArray(detail.balances)).toBe(true);

    const s = await post(admin, `/api/admin/users/${u.user.id}/suspend`, { reason: 'chargeback fraud' });
    expect(s.json()).toMatchObject({ ok: true, revokedSessions: 1 });
    expect((await get(u, '/api/auth/me')).statusCode).toBe(401);
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: u.user.email, password: DEFAULT_PASSWORD } });
    expect(login.statusCode).toBe(403);
    expect(login.json().error.code).toBe('ACCOUNT_SUSPENDED');
    expect((await post(admin, `/api/admin/users/${admin.user.id}/suspend`, { reason: 'myself' })).statusCode).toBe(422);

    expect((await post(admin, `/api/admin/users/${u.user.id}/unsuspend`)).json().ok).toBe(true);
    const again = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: u.user.email, password: DEFAULT_PASSWORD } });
    expect(again.statusCode).toBe(200);
    expect((await post(admin, `/api/admin/users/${u.user.id}/force-logout`)).json()).toMatchObject({ ok: true, revokedSessions: 1 });

    const audit = (await get(admin, `/api/admin/audit?targetId=${u.user.id}`)).json();
    expect(audit.items.map((a: { action: string }) => a.action)).toEqual(['user.force_logout', 'user.unsuspend', 'user.suspend']);
    expect(audit.items[2]).toMatchObject({ actorId: admin.user.id, details: { reason: 'chargeback fraud' } });
  });

  it('lists partially paid deposits for review and resolves one with a partial credit, once', async () => {
    const u = await signUpVerified(t);
    const dep = (await post(u, '/api/wallet/deposits', { amountUsd: '40', payCurrency: 'usdt' })).json();
    expect((await post(u, `/api/dev/deposits/${dep.id}/complete`, { status: 'partially_paid' })).json()).toMatchObject({
      status: 'partially_paid',
      review: 'pending',
    });
    const queue = (await get(admin, '/api/admin/deposits?review=pending&limit=200')).json();
    expect(queue.items.find((d: { id: string }) => d.id === dep.id)).toMatchObject({ userEmail: u.user.email, review: 'pending' });
    const tooMuch = await post(admin, `/api/admin/deposits/${dep.id}/resolve`, { note: 'checked chain', creditUsd: '41' });
    expect(tooMuch.statusCode).toBe(400);
    const ok = await post(admin, `/api/admin/deposits/${dep.id}/resolve`, { note: 'half arrived on chain', creditUsd: '20' });
    expect(ok.json()).toMatchObject({ review: 'resolved', creditedUsd: '20.00', reviewNote: 'half arrived on chain' });
    expect((await post(admin, `/api/admin/deposits/${dep.id}/resolve`, { note: 'again', creditUsd: '20' })).statusCode).toBe(422);
    // A late finished callback cannot credit on top of the operator's credit: partially_paid → finished is forward,
    // but the deposit is already credited.
    const ipn = { payment_id: Number(dep.providerPaymentId), payment_status: 'finished', price_amount: 40, pay_currency: 'usdt' };
    await t.app.inject({
      method: 'POST',
      url: '/api/webhooks/nowpayments',
      headers: { 'x-nowpayments-sig': signIpn(ipn, t.config.payments.ipnSecret) },
      payload: ipn,
    });
    const bal = (await get(u, '/api/wallet/balances')).json().items.find((i: { asset: string }) => i.asset === 'USD');
    expect(bal.available).toBe('20');
  });

  it('stats, announcements broadcast, and the reconciliation link', async () => {
    const pushed: unknown[] = [];
    const off = t.platform.realtime.attach({
      toUser: () => undefined,
      broadcast: (event, payload) => pushed.push({ event, payload }),
    });
    // Unique: another file's operator may announce on a shared database meanwhile.
    const title = `Maintenance ${randomUUID().slice(0, 8)}`;
    const res = await post(admin, '/api/admin/announcements', { title, message: 'Tonight 02:00 UTC', level: 'warning' });
    off();
    expect(res.statusCode).toBe(201);
    expect(pushed).toEqual([{ event: 'announcement', payload: expect.objectContaining({ title, level: 'warning' }) }]);
    const listed = (await get(admin, '/api/admin/announcements')).json().items as { id: string; title: string }[];
    expect(listed.find((a) => a.title === title)?.id).toBe(res.json().id);
    const stats = (await get(admin, '/api/admin/stats')).json();
    expect(stats.users.total).toBeGreaterThan(0);
    expect(stats.reconciliationUrl).toBe('/api/admin/reconciliation');
    const rec = await get(admin, stats.reconciliationUrl);
    expect(rec.statusCode).toBe(200);
    expect(rec.json().ok).toBe(true);
    const audit = (await get(admin, '/api/admin/audit?action=announcement.create')).json();
    expect(audit.items[0]).toMatchObject({ actorId: admin.user.id });
  });
});
