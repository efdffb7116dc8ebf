import { randomUUID } from 'node:crypto';
import { apiRoutes, errorBodySchema, OPERATOR_ROLES, type OperatorRole, type RouteDef, type RouteRole, routeRoles } from '@cryptovault/contract';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { asUser, changeAuthRows, createOperator, expireStepUp, signUpVerified, type TestSession } from '../../../test/auth-helpers.ts';
import { createTestApp, isolatedDatabase, type TestContext } from '../../../test/helpers.ts';
import { rows } from '../../platform/db/sql.ts';
import { reconcile } from '../ledger/index.ts';

let t: TestContext;
const as: Partial<Record<OperatorRole | 'user', TestSession>> = {};

beforeAll(async () => {
  t = await createTestApp();
  as.user = await signUpVerified(t);
  for (const role of OPERATOR_ROLES) as[role] = await createOperator(t, [role]);
}, 120_000);
afterAll(async () => {
  await t.close();
});
afterEach(async () => {
  expect((await reconcile(t.platform.database.db)).ok).toBe(true);
});

const callOn = (ctx: TestContext, s: TestSession, method: string, url: string, payload?: unknown) =>
  asUser(ctx, s).inject({ method: method as 'GET', url, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
const call = (s: TestSession, method: string, url: string, payload?: unknown) => callOn(t, s, method, url, payload);
const get = (s: TestSession, url: string) => call(s, 'GET', url);
const post = (s: TestSession, url: string, payload?: unknown) => call(s, 'POST', url, payload);

/** Every operator route: the contract's /api/admin routes, and the routes outside the table that declare config.role. */
const operatorRoutes: { name: string; method: string; path: string; role: RouteRole }[] = [
  ...Object.entries(apiRoutes).flatMap(([group, routes]) =>
    Object.entries(routes as Record<string, RouteDef>)
      .filter(([, r]) => r.path.startsWith('/api/admin'))
      .map(([name, r]) => ({ name: `${group}.${name}`, method: r.method, path: r.path, role: r.role! })),
  ),
  { name: 'pol.snapshot', method: 'POST', path: '/api/admin/proof-of-liabilities/snapshots', role: 'finance' },
  { name: 'pol.reserves', method: 'POST', path: '/api/admin/proof-of-liabilities/reserves', role: 'finance' },
  { name: 'fly.status', method: 'GET', path: '/api/fly/status', role: ['support', 'compliance', 'finance'] },
  { name: 'fly.instances', method: 'GET', path: '/api/fly/instances', role: ['support', 'compliance', 'finance'] },
];

/**
 * Calls that reach the handler do nothing harmful: a random id (404) and an empty body (400). The ones that would
 * act with an empty body (a proof-of-liabilities snapshot) are only checked for refusal here.
 */
const ACTS_WITHOUT_INPUT = new Set(['pol.snapshot']);

describe('operator roles on every operator route (table-driven over the contract)', () => {
  it('covers every /api/admin route of the contract, each with a role', () => {
    expect(operatorRoutes.filter((r) => r.path.startsWith('/api/admin')).length).toBeGreaterThanOrEqual(24);
    for (const r of operatorRoutes) expect(routeRoles(r), r.name).toContain('superadmin');
  });

  it('refuses every role (and a user) on each route it lacks with 403 in the contract error shape; lets through the ones it has', async () => {
    const id = randomUUID();
    const failures: string[] = [];
    for (const route of operatorRoutes) {
      const url = route.path.replace(':id', id);
      const allowed = routeRoles(route);
      for (const who of ['user', ...OPERATOR_ROLES] as const) {
        const may = who !== 'user' && allowed.includes(who);
        if (may && ACTS_WITHOUT_INPUT.has(route.name)) continue;
        const res = await call(as[who]!, route.method, url, route.method === 'GET' ? undefined : {});
        const body = res.statusCode >= 400 ? errorBodySchema.safeParse(res.json()) : null;
        if (body && !body.success) failures.push(`${route.name} as ${who}: not the contract error shape: ${res.body}`);
        const refusedForRole = res.statusCode === 403 && body?.success && body.data.error.code === 'FORBIDDEN';
        if (may && refusedForRole) failures.push(`${route.name} as ${who}: refused (${res.body})`);
        if (!may && !refusedForRole) failures.push(`${route.name} as ${who}: expected 403 FORBIDDEN, got ${res.statusCode} ${res.body.slice(0, 120)}`);
        if (!may && who !== 'user' && refusedForRole && body?.success) {
          expect(body.data.error.message).toMatch(/role/);
          expect((body.data.error.details as { requiredRoles: string[] }).requiredRoles).toEqual(allowed);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('is refused before validation: a role-less caller learns nothing about the input', async () => {
    const res = await post(as.support!, '/api/admin/adjustments', { nonsense: true });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('FORBIDDEN');
    expect((await post(as.finance!, '/api/admin/adjustments', { nonsense: true })).statusCode).toBe(400);
  });
});

describe('role management (superadmin)', () => {
  it('/api/auth/me tells the web app the roles; a grant applies at the next request, needs step-up, and is audited', async () => {
    const op = await createOperator(t, ['support']);
    expect((await get(op, '/api/auth/me')).json()).toMatchObject({ role: 'admin', operatorRoles: ['support'] });
    expect((await get(op, '/api/admin/withdrawals')).statusCode).toBe(403);

    const sa = await createOperator(t, ['superadmin']);
    // Not a superadmin: refused.
    expect((await call(as.compliance!, 'PUT', `/api/admin/operators/${op.user.id}/roles`, { roles: ['finance'], reason: 'no' })).statusCode).toBe(403);
    // Without a fresh step-up: 403 STEP_UP_REQUIRED, nothing changed.
    await expireStepUp(t, sa);
    const stale = await call(sa, 'PUT', `/api/admin/operators/${op.user.id}/roles`, { roles: ['support', 'finance'], reason: 'moves to payouts' });
    expect(stale.statusCode).toBe(403);
    expect(stale.json().error.code).toBe('STEP_UP_REQUIRED');
    // The next TOTP step is used already (createOperator): a backup code is a second factor too.
    const again = await asUser(t, sa).inject({ method: 'POST', url: '/api/auth/step-up', payload: { backupCode: sa.backupCodes![0] } });
    expect(again.statusCode).toBe(200);
    const granted = await call(sa, 'PUT', `/api/admin/operators/${op.user.id}/roles`, { roles: ['finance', 'support', 'finance'], reason: 'moves to payouts' });
    expect(granted.statusCode).toBe(200);
    expect(granted.json()).toMatchObject({ id: op.user.id, roles: ['support', 'finance'], twoFactorEnabled: true });

    // The operator's existing session picks it up at once.
    expect((await get(op, '/api/admin/withdrawals')).statusCode).toBe(200);
    expect((await get(op, '/api/auth/me')).json().operatorRoles).toEqual(['support', 'finance']);

    const audit = await get(as.compliance!, `/api/admin/audit?action=operator.roles_changed&targetId=${op.user.id}`);
    expect(audit.json().items[0]).toMatchObject({
      actorId: sa.user.id,
      action: 'operator.roles_changed',
      details: { before: ['support'], after: ['support', 'finance'], reason: 'moves to payouts' },
    });

    // Revoking every role makes the account an ordinary user again: operator routes refuse it on the next request.
    const revoked = await call(sa, 'PUT', `/api/admin/operators/${op.user.id}/roles`, { roles: [], reason: 'left the company' });
    expect(revoked.json().roles).toEqual([]);
    expect((await get(op, '/api/admin/withdrawals')).statusCode).toBe(403);
    expect((await get(op, '/api/auth/me')).json()).toMatchObject({ role: 'user', operatorRoles: [] });

    // Granting to a user makes them an operator; the search finds accounts, the list shows operators.
    const u = await signUpVerified(t, { name: 'Future Support' });
    const found = (await get(sa, `/api/admin/operators?q=${encodeURIComponent(u.user.email)}`)).json();
    expect(found.items).toEqual([expect.objectContaining({ id: u.user.id, roles: [], twoFactorEnabled: false })]);
    await call(sa, 'PUT', `/api/admin/operators/${u.user.id}/roles`, { roles: ['support'], reason: 'new hire' });
    expect((await get(u, '/api/auth/me')).json()).toMatchObject({ role: 'admin', operatorRoles: ['support'] });
    // …who still needs 2FA before any operator route answers.
    const no2fa = await get(u, '/api/admin/users');
    expect(no2fa.statusCode).toBe(403);
    expect(no2fa.json().error.message).toMatch(/two-factor/i);
    const list = (await get(sa, '/api/admin/operators')).json().items as { id: string }[];
    expect(list.some((o) => o.id === u.user.id)).toBe(true);
    expect(list.some((o) => o.id === op.user.id)).toBe(false);
  });
});

describe('maker-checker adjustments (finance)', () => {
  async function propose(by: TestSession, userId: string, amount: string, asset = 'USD') {
    return post(by, '/api/admin/adjustments', { userId, asset, amount, reason: 'goodwill credit after outage', evidence: 'ticket #4411' });
  }
  const entriesFor = async (id: string) =>
    (await rows<{ n: number }>(t.platform.database.db, sql`select count(*)::int as n from journal_entries where reference = ${`adjustment:${id}`}`))[0]!.n;

  it('refuses the proposer as approver, posts when another finance operator approves, reconciliation at zero; audited', async () => {
    const maker = as.finance!;
    const checker = await createOperator(t, ['finance']);
    const u = await signUpVerified(t, { name: 'Adjusted Ada' });

    const proposed = await propose(maker, u.user.id, '125.50');
    expect(proposed.statusCode).toBe(201);
    const adj = proposed.json();
    expect(adj).toMatchObject({ status: 'pending', amount: '125.5', asset: 'USD', userEmail: u.user.email, proposedBy: maker.user.id, userAvailable: '0' });

    const own = await post(maker, `/api/admin/adjustments/${adj.id}/approve`);
    expect(own.statusCode).toBe(403);
    expect(own.json().error.message).toMatch(/different finance operator/);
    expect((await post(maker, `/api/admin/adjustments/${adj.id}/reject`, { reason: 'changed my mind' })).statusCode).toBe(403);
    expect(await entriesFor(adj.id)).toBe(0);

    const ok = await post(checker, `/api/admin/adjustments/${adj.id}/approve`);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'posted', decidedBy: checker.user.id, userAvailable: '125.5' });
    expect(ok.json().entryId).toEqual(expect.any(String));
    expect(await entriesFor(adj.id)).toBe(1);
    const usd = (await get(u, '/api/wallet/balances')).json().items.find((b: { asset: string }) => b.asset === 'USD');
    expect(usd.available).toBe('125.5');
    const rec = await reconcile(t.platform.database.db);
    expect(rec.ok).toBe(true);
    expect(rec.items.find((i) => i.asset === 'USD')?.drift).toBe('0');

    const audit = (await get(as.superadmin!, `/api/admin/audit?targetId=${adj.id}`))
      .json()
      .items.map((e: { action: string; actorId: string }) => [e.action, e.actorId]);
    expect(audit).toEqual([
      ['adjustment.approved', checker.user.id],
      ['adjustment.proposed', maker.user.id],
    ]);
    // The pending queue no longer lists it; the posted list does.
    expect((await get(checker, '/api/admin/adjustments')).json().items.some((a: { id: string }) => a.id === adj.id)).toBe(false);
    expect((await get(checker, '/api/admin/adjustments?status=posted')).json().items.some((a: { id: string }) => a.id === adj.id)).toBe(true);
  });

  it('never takes a balance below zero: refused at proposal, and at approval when the balance changed (nothing written)', async () => {
    const maker = as.finance!;
    const checker = await createOperator(t, ['finance']);
    const u = await signUpVerified(t);
    const credit = (await propose(maker, u.user.id, '100')).json();
    expect((await post(checker, `/api/admin/adjustments/${credit.id}/approve`)).statusCode).toBe(200);

    const tooMuch = await propose(maker, u.user.id, '-100.01');
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json().error.code).toBe('INSUFFICIENT_FUNDS');

    const a = (await propose(maker, u.user.id, '-60')).json();
    const b = (await propose(maker, u.user.id, '-60')).json();
    expect((await post(checker, `/api/admin/adjustments/${a.id}/approve`)).json().userAvailable).toBe('40');
    const refused = await post(checker, `/api/admin/adjustments/${b.id}/approve`);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('INSUFFICIENT_FUNDS');
    expect(await entriesFor(b.id)).toBe(0);
    const still = (await get(checker, '/api/admin/adjustments')).json().items.find((x: { id: string }) => x.id === b.id);
    expect(still).toMatchObject({ status: 'pending', userAvailable: '40' });

    const rejected = await post(checker, `/api/admin/adjustments/${b.id}/reject`, { reason: 'duplicate of the first debit' });
    expect(rejected.json()).toMatchObject({ status: 'rejected', rejectReason: 'duplicate of the first debit', decidedBy: checker.user.id });
    expect((await post(checker, `/api/admin/adjustments/${b.id}/approve`)).statusCode).toBe(422);
  });

  it('refuses bad input in words, and adjustments of the operator’s own balance', async () => {
    const maker = as.finance!;
    const u = await signUpVerified(t);
    for (const amount of ['0', '-0', '1e5', '+5', '5.123']) {
      const res = await propose(maker, u.user.id, amount);
      expect(res.statusCode, amount).toBe(400);
    }
    expect((await propose(maker, u.user.id, '1', 'NOPE')).statusCode).toBe(400);
    expect((await propose(maker, randomUUID(), '1')).statusCode).toBe(404);
    const self = await propose(maker, maker.user.id, '1000');
    expect(self.statusCode).toBe(403);
    // BTC keeps 8 decimals.
    expect((await propose(maker, u.user.id, '0.00000001', 'btc')).json()).toMatchObject({ asset: 'BTC', amount: '0.00000001' });
  });

  it('posts once under concurrent approvals (two checkers and a double click)', async () => {
    const maker = as.finance!;
    const c1 = await createOperator(t, ['finance']);
    const c2 = await createOperator(t, ['finance', 'support']);
    const u = await signUpVerified(t);
    const adj = (await propose(maker, u.user.id, '42')).json();
    const answers = await Promise.all([
      post(c1, `/api/admin/adjustments/${adj.id}/approve`),
      post(c2, `/api/admin/adjustments/${adj.id}/approve`),
      post(c1, `/api/admin/adjustments/${adj.id}/approve`),
      post(as.superadmin!, `/api/admin/adjustments/${adj.id}/approve`),
    ]);
    for (const a of answers) {
      expect(a.statusCode, a.body).toBe(200);
      expect(a.json().status).toBe('posted');
    }
    expect(new Set(answers.map((a) => a.json().entryId)).size).toBe(1);
    expect(await entriesFor(adj.id)).toBe(1);
    const usd = (await get(u, '/api/wallet/balances')).json().items.find((b: { asset: string }) => b.asset === 'USD');
    expect(usd.available).toBe('42');
  }, 60_000);

  it('keeps roles and adjustments across a restart (a new app on the same database)', async () => {
    const maker = as.finance!;
    const u = await signUpVerified(t);
    const adj = (await propose(maker, u.user.id, '7')).json();
    // The same secrets as a restarted deployment keeps (outside production the test app generates its own).
    const { jwtSecret, csrfSecret, dataEncryptionKey } = t.config.auth;
    const again = await createTestApp({ JWT_SECRET: jwtSecret, CSRF_SECRET: csrfSecret, DATA_ENCRYPTION_KEY: dataEncryptionKey });
    try {
      const pending = await asUser(again, as.superadmin!).inject({ method: 'GET', url: '/api/admin/adjustments' });
      expect(pending.statusCode, pending.body).toBe(200);
      expect(pending.json().items.some((a: { id: string }) => a.id === adj.id)).toBe(true);
      const me = await asUser(again, maker).inject({ method: 'GET', url: '/api/auth/me' });
      expect(me.json().operatorRoles).toEqual(['finance']);
      expect((await asUser(again, maker).inject({ method: 'GET', url: '/api/admin/audit' })).statusCode).toBe(403);
    } finally {
      await again.close();
    }
  });
});

describe('the last superadmin', () => {
  // On a database of its own: demoting every other superadmin on the shared PostgreSQL database would demote the
  // administrators of test files running beside this one (withdrawals.test.ts once lost its admins mid-test in CI).
  let own: TestContext;
  let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;
  beforeAll(async () => {
    isolated = await isolatedDatabase('cv_superadmin');
    own = await createTestApp({}, { database: { ...isolated.database, close: async () => undefined } });
  });
  afterAll(async () => {
    await own?.close();
    await isolated?.drop();
  });

  it('cannot be removed, by itself or by another superadmin racing it', async () => {
    const t = own;
    const call = (s: TestSession, method: string, url: string, payload?: unknown) => callOn(t, s, method, url, payload);
    const a = await createOperator(t, ['superadmin']);
    const b = await createOperator(t, ['superadmin']);
    // Only a and b are superadmins in this database (a PGlite copy of the template could hold others).
    await changeAuthRows(
      t,
      a.user.id,
      sql`update users set operator_roles = array_remove(operator_roles, 'superadmin') where 'superadmin' = any(operator_roles) and id not in (${a.user.id}, ${b.user.id})`,
    );
    // Both remove the other at once: one wins, the other is refused (it is no longer a superadmin, or it would be the last).
    const [ra, rb] = await Promise.all([
      call(a, 'PUT', `/api/admin/operators/${b.user.id}/roles`, { roles: ['finance'], reason: 'race' }),
      call(b, 'PUT', `/api/admin/operators/${a.user.id}/roles`, { roles: ['finance'], reason: 'race' }),
    ]);
    const codes = [ra.statusCode, rb.statusCode].sort();
    expect(codes[0]).toBe(200);
    expect(codes[1]).toBeGreaterThanOrEqual(403);
    const winner = ra.statusCode === 200 ? a : b;
    const last = await call(winner, 'PUT', `/api/admin/operators/${winner.user.id}/roles`, { roles: ['support'], reason: 'step down' });
    expect(last.statusCode).toBe(422);
    expect(last.json().error.message).toMatch(/last superadmin/);
    const count = await rows<{ n: number }>(t.platform.database.db, sql`select count(*)::int as n from users where 'superadmin' = any(operator_roles)`);
    expect(count[0]!.n).toBe(1);
  }, 60_000);
});
