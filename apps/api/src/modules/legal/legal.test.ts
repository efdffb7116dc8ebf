import { Money, tradeFigures } from '@cryptovault/contract';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, createAdmin, currentTermsVersion, randomIp, signUpVerified, type TestSession, verificationCodeFor } from '../../../test/auth-helpers.ts';
import { createTestApp, isolatedDatabase, type TestContext, uniqueEmail } from '../../../test/helpers.ts';
import { waitFor } from '../../../test/prices.ts';
import type { Database } from '../../platform/db/client.ts';
import { credit } from '../ledger/index.ts';

/**
 * Publishing a new version of the terms changes what every account may do, so this file runs on a database of its
 * own (isolatedDatabase: a fresh PostgreSQL database on the CI server, its own PGlite copy otherwise), never the one
 * other files share.
 */
const SECRET = 'edge-secret-for-the-legal-tests-0123456789';
// Fixed secrets so a second app on the same database (a restart) accepts the first one's sessions.
const ENV = {
  TRUST_PROXY: 'vercel+fly',
  EDGE_PROXY_SECRET: SECRET,
  BLOCKED_COUNTRIES: 'kp, IR',
  JWT_SECRET: 'legal-test-jwt-secret-0123456789abcdef',
  CSRF_SECRET: 'legal-test-csrf-secret-0123456789abcdef',
  DATA_ENCRYPTION_KEY: 'legal-test-data-key-0123456789abcdef',
};
/** What a request through Vercel then Fly carries: the edge secret, Vercel's country and client address, Fly's hop. */
const viaVercel = (country: string) => ({
  'x-vercel-ip-country': country,
  'x-cryptovault-edge-secret': SECRET,
  'x-forwarded-for': '198.51.100.7, 203.0.113.9',
  'fly-client-ip': '203.0.113.9',
});
/** The same country header sent straight to the Fly host (no edge secret): must not be believed. */
const direct = (country: string) => ({ 'x-vercel-ip-country': country, 'fly-client-ip': '192.0.2.44' });

let db: { database: Database; drop(): Promise<void> };
let t: TestContext;
let admin: TestSession;
let alice: TestSession;

function keep(database: Database): Database {
  return { ...database, close: async () => undefined };
}

beforeAll(async () => {
  db = await isolatedDatabase('cv_legal');
  t = await createTestApp(ENV, { database: keep(db.database) });
  await waitFor(() => t.root.trading.engine.isRunning && t.platform.prices.get('bitcoin') !== null);
  admin = await createAdmin(t);
  alice = await signUpVerified(t);
  await t.platform.database.db.transaction((tx) => credit(tx, { userId: alice.user.id, asset: 'USD', amount: '10000', reference: 'test:fund' }));
  await t.platform.database.db.transaction((tx) => credit(tx, { userId: alice.user.id, asset: 'BTC', amount: '1', reference: 'test:fund' }));
  const res = await t.app.inject({ method: 'POST', url: '/api/dev/market/bitcoin', payload: { priceUsd: '50000', holdMs: 600_000 } });
  expect(res.statusCode).toBe(200);
  await waitFor(() => t.platform.prices.get('bitcoin')?.priceUsd === '50000');
}, 120_000);

afterAll(async () => {
  await t?.close();
  await db?.drop();
});

async function signup(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/api/auth/signup',
    remoteAddress: randomIp(),
    headers,
    payload: { password: 'correct horse battery staple 42', name: 'Legal Test', ...body },
  });
}

async function userRow(email: string): Promise<{ id: string; country: string | null } | undefined> {
  const r = (await t.platform.database.db.execute(sql`select id, country from users where email = ${email}`)) as unknown as {
    rows: { id: string; country: string | null }[];
  };
  return r.rows[0];
}

const buy = (s: TestSession, headers: Record<string, string> = {}) =>
  asUser(t, s).inject({ method: 'POST', url: '/api/orders', headers, payload: { symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.001' } });
const sell = (s: TestSession, headers: Record<string, string> = {}) =>
  asUser(t, s).inject({ method: 'POST', url: '/api/orders', headers, payload: { symbol: 'BTC/USD', side: 'sell', type: 'market', amount: '0.001' } });

describe('geo restrictions', () => {
  it('reads the country only from a request that came through the edge (the secret), never from a direct caller', async () => {
    const trusted = await t.app.inject({ method: 'GET', url: '/api/legal/geo', headers: viaVercel('kp') });
    expect(trusted.json()).toEqual({ country: 'KP', blocked: true });
    const untrusted = await t.app.inject({ method: 'GET', url: '/api/legal/geo', headers: direct('KP') });
    expect(untrusted.json()).toEqual({ country: null, blocked: false });
    const wrongSecret = await t.app.inject({
      method: 'GET',
      url: '/api/legal/geo',
      headers: { ...viaVercel('KP'), 'x-cryptovault-edge-secret': 'x'.repeat(42) },
    });
    expect(wrongSecret.json()).toEqual({ country: null, blocked: false });
    const allowed = await t.app.inject({ method: 'GET', url: '/api/legal/geo', headers: viaVercel('FR') });
    expect(allowed.json()).toEqual({ country: 'FR', blocked: false });
  });

  it('refuses a sign-up from a blocked country with 451 COUNTRY_BLOCKED; the same header from an untrusted peer is ignored', async () => {
    const termsVersion = await currentTermsVersion(t);
    const blockedEmail = uniqueEmail('kp');
    const refused = await signup({ email: blockedEmail, termsVersion }, viaVercel('KP'));
    expect(refused.statusCode).toBe(451);
    expect(refused.json().error).toMatchObject({ code: 'COUNTRY_BLOCKED', message: expect.stringContaining('not available in your country') });
    expect(await userRow(blockedEmail)).toBeUndefined();

    const spoofEmail = uniqueEmail('spoof');
    const ignored = await signup({ email: spoofEmail, termsVersion }, direct('KP'));
    expect(ignored.statusCode).toBe(201);
    expect((await userRow(spoofEmail))?.country).toBeNull();
  });

  it('sign-up records the country the edge reported', async () => {
    const email = uniqueEmail('fr');
    const res = await signup({ email, termsVersion: await currentTermsVersion(t) }, viaVercel('fr'));
    expect(res.statusCode).toBe(201);
    expect((await userRow(email))?.country).toBe('FR');
  });

  it('an existing holder in a blocked country cannot buy, deposit or transfer, but can sell and is not refused a withdrawal for the country', async () => {
    const kp = viaVercel('KP');
    const b = await buy(alice, kp);
    expect(b.statusCode).toBe(451);
    expect(b.json().error.code).toBe('COUNTRY_BLOCKED');
    const q = await asUser(t, alice).inject({ method: 'POST', url: '/api/quotes', headers: kp, payload: { symbol: 'BTC/USD', side: 'buy', amount: '0.001' } });
    expect(q.json().error.code).toBe('COUNTRY_BLOCKED');
    const dep = await asUser(t, alice).inject({ method: 'POST', url: '/api/wallet/deposits', headers: kp, payload: { amountUsd: '100', payCurrency: 'btc' } });
    expect(dep.statusCode).toBe(451);
    const tr = await asUser(t, alice).inject({
      method: 'POST',
      url: '/api/wallet/transfers',
      headers: kp,
      payload: { recipientEmail: admin.user.email, asset: 'USD', amount: '1' },
    });
    expect(tr.statusCode).toBe(451);
    // A recurring buy is a standing order to buy: refused too.
    const rb = await asUser(t, alice).inject({
      method: 'POST',
      url: '/api/recurring-buys',
      headers: kp,
      payload: { assetId: 'bitcoin', quoteAmount: '25', frequency: 'daily', timeOfDay: '09:00' },
    });
    expect(rb.statusCode, rb.body).toBe(451);

    const s = await sell(alice, kp);
    expect(s.statusCode, s.body).toBe(201);
    const w = await asUser(t, alice).inject({
      method: 'POST',
      url: '/api/wallet/withdrawals',
      headers: kp,
      payload: { asset: 'BTC', amount: '0.001', address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq' },
    });
    expect(w.json().error?.code).not.toBe('COUNTRY_BLOCKED');
    // Signing in from there works (to wind down).
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: randomIp(),
      headers: kp,
      payload: { email: alice.user.email, password: alice.password },
    });
    expect(login.statusCode).toBe(200);
    // The same buy without the country (or from an allowed one) goes through.
    expect((await buy(alice, viaVercel('FR'))).statusCode).toBe(201);
  });
});

describe('consent at sign-up', () => {
  it('refuses a sign-up without accepting the terms in force, and records version, time and address when accepted', async () => {
    const current = await currentTermsVersion(t);
    const email = uniqueEmail('noterms');
    const none = await signup({ email });
    expect(none.statusCode).toBe(403);
    expect(none.json().error).toMatchObject({
      code: 'TERMS_NOT_ACCEPTED',
      message: 'Accept the Terms of Service to create an account.',
      details: { currentVersion: current },
    });
    const stale = await signup({ email, termsVersion: current + 1 });
    expect(stale.json().error.code).toBe('TERMS_NOT_ACCEPTED');
    expect(await userRow(email)).toBeUndefined();

    const ip = randomIp();
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      remoteAddress: ip,
      payload: { email, password: 'correct horse battery staple 42', name: 'Legal Test', termsVersion: current },
    });
    expect(ok.statusCode).toBe(201);
    const user = await userRow(email);
    const r = (await t.platform.database.db.execute(sql`select version, accepted_at, ip from terms_acceptances where user_id = ${user!.id}`)) as unknown as {
      rows: { version: number; accepted_at: Date | string; ip: string }[];
    };
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({ version: current, ip });
    expect(Date.now() - new Date(r.rows[0]!.accepted_at).getTime()).toBeLessThan(60_000);
    // The account verifies and signs in as usual.
    const code = await verificationCodeFor(t, email);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/verify-email', remoteAddress: ip, payload: { email, code } })).statusCode).toBe(200);
  });
});

describe('fees page', () => {
  it('shows the configured rate and figures equal to the fee function and to what an order is charged', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/legal/fees' });
    expect(res.statusCode).toBe(200);
    const fees = res.json();
    expect(fees.trading.rate).toBe(new Money(t.config.trading.feeRate).toFixed());
    expect(fees.trading.percent).toBe('0.1');
    for (const ex of fees.trading.examples) {
      const f = tradeFigures(ex.side, '1', ex.value, t.config.trading.feeRate);
      expect([ex.fee, ex.total]).toEqual([f.fee.toFixed(2), f.total.toFixed(2)]);
    }
    // A real fill is charged what the schedule's rate gives.
    const order = (await buy(alice)).json();
    expect(order.fee.rate).toBe(fees.trading.rate);
    expect(order.fee.cost).toBe(tradeFigures('buy', order.amount, order.average, fees.trading.rate).fee.toFixed());
    // Withdrawal fees are the configured ones.
    const btc = fees.withdrawals.find((w: { asset: string }) => w.asset === 'BTC');
    expect(btc.fee).toBe(new Money(t.config.withdrawals.fees.BTC!).toFixed());
    expect(fees.depositFee).toBe('0');
  });
});

describe('publishing and re-acceptance', () => {
  it('non-operators cannot list or publish (401 anonymous, 403 users)', async () => {
    const body = { kind: 'terms', title: 'Hijacked', body: 'nothing' };
    expect((await t.app.inject({ method: 'POST', url: '/api/admin/legal/documents', payload: body })).statusCode).toBe(401);
    const u = await asUser(t, alice).inject({ method: 'POST', url: '/api/admin/legal/documents', payload: body });
    expect(u.statusCode).toBe(403);
    expect(u.json().error.code).toBe('FORBIDDEN');
    expect((await asUser(t, alice).inject({ method: 'GET', url: '/api/admin/legal/documents' })).statusCode).toBe(403);
  });

  it('a new terms version (audited) stops trading with TERMS_NOT_ACCEPTED until accepted; reads, sells-free paths and withdrawals stay open', async () => {
    const before = await currentTermsVersion(t);
    expect((await buy(alice)).statusCode).toBe(201);

    const pub = await asUser(t, admin).inject({
      method: 'POST',
      url: '/api/admin/legal/documents',
      payload: { kind: 'terms', title: 'Terms of Service', body: '# Terms of Service\n\nVersion two: <script>alert(1)</script> stays text.' },
    });
    expect(pub.statusCode, pub.body).toBe(201);
    expect(pub.json()).toMatchObject({ kind: 'terms', version: before + 1, current: true });
    const audit = await asUser(t, admin).inject({ method: 'GET', url: '/api/admin/audit?action=legal.publish' });
    expect(audit.json().items[0]).toMatchObject({ action: 'legal.publish', actorId: admin.user.id, targetId: `terms:${before + 1}` });

    const refused = await buy(alice);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'TERMS_NOT_ACCEPTED', details: { currentVersion: before + 1 } });
    const dep = await asUser(t, alice).inject({ method: 'POST', url: '/api/wallet/deposits', payload: { amountUsd: '100', payCurrency: 'btc' } });
    expect(dep.json().error.code).toBe('TERMS_NOT_ACCEPTED');
    expect((await asUser(t, alice).inject({ method: 'GET', url: '/api/wallet/balances' })).statusCode).toBe(200);
    expect((await asUser(t, alice).inject({ method: 'GET', url: '/api/orders' })).statusCode).toBe(200);
    const w = await asUser(t, alice).inject({
      method: 'POST',
      url: '/api/wallet/withdrawals',
      payload: { asset: 'BTC', amount: '0.001', address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq' },
    });
    expect(w.json().error?.code).not.toBe('TERMS_NOT_ACCEPTED');

    const state = await asUser(t, alice).inject({ method: 'GET', url: '/api/legal/consent' });
    expect(state.json()).toMatchObject({ currentVersion: before + 1, acceptedVersion: before, required: true });
    const old = await asUser(t, alice).inject({ method: 'POST', url: '/api/legal/consent', payload: { version: before } });
    expect(old.json().error.code).toBe('TERMS_NOT_ACCEPTED');
    const accepted = await asUser(t, alice).inject({ method: 'POST', url: '/api/legal/consent', payload: { version: before + 1 } });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ currentVersion: before + 1, acceptedVersion: before + 1, required: false });
    expect((await buy(alice)).statusCode).toBe(201);

    // A sign-up must now name the new version.
    const stale = await signup({ email: uniqueEmail('stale'), termsVersion: before });
    expect(stale.json().error).toMatchObject({ code: 'TERMS_NOT_ACCEPTED', details: { currentVersion: before + 1 } });
  });

  it('old versions stay readable; a version with a later effective date is not in force yet', async () => {
    const page = (await t.app.inject({ method: 'GET', url: '/api/legal/documents/terms' })).json();
    const current = page.document.version;
    expect(page.versions.map((v: { version: number }) => v.version)).toEqual(Array.from({ length: current }, (_, i) => current - i));
    const v1 = await t.app.inject({ method: 'GET', url: '/api/legal/documents/terms/versions/1' });
    expect(v1.json()).toMatchObject({ version: 1, current: false, title: 'Terms of Service' });
    expect(v1.json().body).toContain('# Terms of Service');
    expect((await t.app.inject({ method: 'GET', url: '/api/legal/documents/terms/versions/999' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/legal/documents/cookies' })).statusCode).toBe(400);

    const later = new Date(Date.now() + 86_400_000).toISOString();
    const pub = await asUser(t, admin).inject({
      method: 'POST',
      url: '/api/admin/legal/documents',
      payload: { kind: 'privacy', title: 'Privacy Notice', body: 'Version two of the privacy notice.', effectiveAt: later },
    });
    expect(pub.json()).toMatchObject({ kind: 'privacy', version: 2, current: false });
    expect((await t.app.inject({ method: 'GET', url: '/api/legal/documents/privacy' })).json().document.version).toBe(1);
    const past = await asUser(t, admin).inject({
      method: 'POST',
      url: '/api/admin/legal/documents',
      payload: { kind: 'risk', title: 'Risk', body: 'x', effectiveAt: '2020-01-01T00:00:00Z' },
    });
    expect(past.statusCode).toBe(400);
  });

  it('versions and acceptances survive a restart on the same database', async () => {
    const version = await currentTermsVersion(t);
    const second = await createTestApp(ENV, { database: keep(db.database) });
    try {
      const page = (await second.app.inject({ method: 'GET', url: '/api/legal/documents/terms' })).json();
      expect(page.document.version).toBe(version);
      expect(page.versions).toHaveLength(version);
      const state = await asUser(second, alice).inject({ method: 'GET', url: '/api/legal/consent' });
      expect(state.json()).toMatchObject({ currentVersion: version, acceptedVersion: version, required: false });
      const list = await asUser(second, admin).inject({ method: 'GET', url: '/api/admin/legal/documents' });
      expect(list.json().items.length).toBeGreaterThanOrEqual(5);
    } finally {
      await second.close();
    }
  });

  it('the documents cannot be changed in place (append-only)', async () => {
    await expect(t.platform.database.db.execute(sql`update legal_documents set body = 'edited' where version = 1`)).rejects.toThrow();
    await expect(t.platform.database.db.execute(sql`delete from legal_documents`)).rejects.toThrow();
  });
});
