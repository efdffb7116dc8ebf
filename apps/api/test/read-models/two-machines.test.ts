import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credit, D } from '../../src/modules/ledger/index.ts';
import { MemoryCache } from '../../src/platform/cache.ts';
import { onUsersChanged, usersChanged } from '../../src/platform/db/commits.ts';
import { asBearer, asUser, createAdmin, signIn, signUpVerified, stepUp, type TestSession } from '../auth-helpers.ts';
import { createTestApp, type TestContext, usingRedis } from '../helpers.ts';
import { TestPrices, waitFor } from '../prices.ts';

// Two app instances ("machines") on one database and one shared cache: Redis when REDIS_URL is set, otherwise a
// MemoryCache handed to both. Each caches sessions, balances and holdings; a change made through one must be what
// the other answers on the very next request (issue 19: the cheap authenticated request keeps revocation instant).
const env = {
  COINCAP_API_KEY: 'test-key',
  COINCAP_BASE_URL: 'http://127.0.0.1:9',
  PRICE_POLL_INTERVAL_MS: '3600000',
  FLY_APP_NAME: `cv-two-${randomUUID().slice(0, 8)}`,
  JWT_SECRET: 'two-machines-test-jwt-secret-0123456789abcdef',
  CSRF_SECRET: 'two-machines-test-csrf-secret-0123456789abcdef',
  DATA_ENCRYPTION_KEY: 'two-machines-test-data-key-0123456789abcdef',
};
const shared = usingRedis ? undefined : new MemoryCache();
let a: TestContext;
let b: TestContext;
const prices = [new TestPrices(), new TestPrices()];

beforeAll(async () => {
  a = await createTestApp(env, { cache: shared, prices: prices[0] });
  b = await createTestApp(env, { cache: shared, prices: prices[1] });
  for (const p of prices) p.tick({ bitcoin: '50000', ethereum: '2000' });
  await waitFor(() => a.platform.prices.get('bitcoin') !== null && b.platform.prices.get('bitcoin') !== null);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await shared?.close();
});

const me = (t: TestContext, s: TestSession) => asUser(t, s).inject({ method: 'GET', url: '/api/auth/me' });
const get = async (t: TestContext, s: TestSession, url: string) => {
  const res = await asUser(t, s).inject({ method: 'GET', url });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const fund = (t: TestContext, s: TestSession, asset: string, amount: string) =>
  t.platform.database.db.transaction((tx) => credit(tx, { userId: s.user.id, asset, amount, reference: `test:fund:${randomUUID()}` }));

describe('sessions cached on one machine follow every change made on another at once', () => {
  it('a logout on A is a 401 on B on the next request; the other session stays signed in', async () => {
    const s = await signUpVerified(a);
    const other = await signIn(a, s.user.email, s.password);
    expect((await me(b, s)).statusCode).toBe(200); // B now holds the session
    expect((await me(b, other)).statusCode).toBe(200);
    expect((await asUser(a, s).inject({ method: 'POST', url: '/api/auth/logout' })).statusCode).toBe(200);
    expect((await me(b, s)).statusCode).toBe(401);
    expect((await me(b, other)).statusCode).toBe(200);
  });

  it('a freeze, a suspension and a profile change on A are what B answers next', async () => {
    const admin = await createAdmin(a);
    const s = await signUpVerified(a);
    expect((await me(b, s)).json()).toMatchObject({ frozen: false, name: 'Test User' });
    const renamed = await asUser(a, s).inject({ method: 'PATCH', url: '/api/auth/me', payload: { name: 'Renamed' } });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect((await me(b, s)).json().name).toBe('Renamed');

    const frozen = await signIn(a, s.user.email, s.password); // freezing ends every session: keep one that signs in after
    const freeze = await asUser(a, admin).inject({ method: 'POST', url: `/api/admin/users/${s.user.id}/freeze`, payload: { reason: 'reported' } });
    expect(freeze.statusCode, freeze.body).toBe(200);
    expect((await me(b, frozen)).statusCode).toBe(401);
    const after = await signIn(a, s.user.email, s.password);
    expect((await me(b, after)).json().frozen).toBe(true);
    const unfreeze = await asUser(a, admin).inject({ method: 'POST', url: `/api/admin/users/${s.user.id}/unfreeze`, payload: { reason: 'owner verified' } });
    expect(unfreeze.statusCode, unfreeze.body).toBe(200);
    expect((await me(b, after)).json().frozen).toBe(false);

    const suspend = await asUser(a, admin).inject({ method: 'POST', url: `/api/admin/users/${s.user.id}/suspend`, payload: { reason: 'test' } });
    expect(suspend.statusCode, suspend.body).toBe(200);
    expect((await asBearer(b, after).inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
  });

  it('a step-up made on A lets the next sensitive request through on B', async () => {
    const s = await signUpVerified(a);
    // Aged past the step-up window, and cached so on B.
    await a.platform.database.db.execute(sql`update sessions set step_up_at = step_up_at - interval '1 hour' where user_id = ${s.user.id}`);
    const { authStateChanged } = await import('../../src/modules/auth/session-cache.ts');
    await authStateChanged(a.platform, s.user.id);
    const setCode = (t: TestContext) => asUser(t, s).inject({ method: 'PUT', url: '/api/security/anti-phishing', payload: { code: 'Blue Falcon 7' } });
    const refused = await setCode(b);
    expect(refused.json().error?.code, refused.body).toBe('STEP_UP_REQUIRED');
    await stepUp(a, s);
    const allowed = await setCode(b);
    expect(allowed.statusCode, allowed.body).toBe(200);
  });
});

describe('balances and holdings cached on one machine follow every posting made on another at once', () => {
  it('an order, a transfer and a deposit made through A are in B’s next balances and portfolio', async () => {
    const s = await signUpVerified(a);
    const friend = await signUpVerified(a);
    await fund(a, s, 'USD', '10000');
    // B caches both reads.
    expect((await get(b, s, '/api/wallet/balances')).items.find((i: { asset: string }) => i.asset === 'USD').available).toBe('10000');
    expect((await get(b, s, '/api/portfolio')).holdings.map((h: { asset: string }) => h.asset)).toEqual(['USD']);
    expect((await get(b, s, '/api/portfolio/history?range=1d')).items.at(-1).valueUsd).toBe('10000.00');
    expect((await get(b, friend, '/api/wallet/balances')).items.find((i: { asset: string }) => i.asset === 'USD').available).toBe('0');

    const order = await asUser(a, s).inject({
      method: 'POST',
      url: '/api/orders',
      payload: { symbol: 'BTC/USD', side: 'buy', type: 'market', quoteAmount: '1000' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(order.statusCode, order.body).toBe(201);
    const btc = (await get(b, s, '/api/wallet/balances')).items.find((i: { asset: string }) => i.asset === 'BTC');
    expect(btc?.available).toBe(order.json().filled);
    const held = (await get(b, s, '/api/portfolio')).holdings.find((h: { asset: string }) => h.asset === 'BTC');
    expect(held).toMatchObject({ amount: order.json().filled, averageCostUsd: expect.any(String) });
    // The chart's last point is the portfolio now (the fee left the account: below 10,000).
    const total = (await get(b, s, '/api/portfolio')).totalUsd;
    expect(new D(total).lt(10_000)).toBe(true);
    expect((await get(b, s, '/api/portfolio/history?range=1d')).items.at(-1).valueUsd).toBe(total);

    await stepUp(a, s);
    const sent = await asUser(a, s).inject({
      method: 'POST',
      url: '/api/wallet/transfers',
      payload: { asset: 'USD', amount: '25', recipientEmail: friend.user.email },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(sent.statusCode, sent.body).toBe(201);
    expect((await get(b, friend, '/api/wallet/balances')).items.find((i: { asset: string }) => i.asset === 'USD').available).toBe('25');

    await fund(a, friend, 'ETH', '2');
    expect((await get(b, friend, '/api/portfolio')).holdings.map((h: { asset: string }) => h.asset).sort()).toEqual(['ETH', 'USD']);
  });
});

describe('the portfolio is valued at the prices of the moment', () => {
  it('a tick changes the next answer on every machine, with no posting in between; the same tick answers the same body', async () => {
    const s = await signUpVerified(a);
    await fund(a, s, 'BTC', '2');
    for (const p of prices) p.tick({ bitcoin: '50000' });
    await waitFor(() => a.platform.prices.get('bitcoin')?.priceUsd === '50000' && b.platform.prices.get('bitcoin')?.priceUsd === '50000');
    const first = await asUser(b, s).inject({ method: 'GET', url: '/api/portfolio' });
    expect(first.headers['content-type']).toMatch(/^application\/json/);
    expect(first.json().totalUsd).toBe('100000.00');
    // Read again at the same prices: the same body (kept per money and price version).
    expect((await asUser(b, s).inject({ method: 'GET', url: '/api/portfolio' })).body).toBe(first.body);
    for (const p of prices) p.tick({ bitcoin: '51000.5' });
    await waitFor(() => a.platform.prices.get('bitcoin')?.priceUsd === '51000.5' && b.platform.prices.get('bitcoin')?.priceUsd === '51000.5');
    for (const t of [a, b]) {
      const body = await get(t, s, '/api/portfolio');
      expect(body.totalUsd).toBe('102001.00');
      expect(body.holdings[0]).toMatchObject({ asset: 'BTC', amount: '2', priceUsd: '51000.5', valueUsd: '102001.00' });
    }
    // A posting through A after B kept this body: B's next answer has it.
    await fund(a, s, 'BTC', '1');
    expect((await get(b, s, '/api/portfolio')).totalUsd).toBe('153001.50');
  });
});

describe('announcements of changed money (platform/db/commits.ts)', () => {
  it('reach listeners after the commit, once per transaction (savepoints included), never for a rollback', async () => {
    const db = a.platform.database.db;
    const heard: string[][] = [];
    const stop = onUsersChanged(db, async (ids) => {
      heard.push([...ids].sort());
    });
    try {
      await db.transaction(async (tx) => {
        await usersChanged(tx, ['u1']);
        await tx.transaction(async (sp) => usersChanged(sp, ['u2', 'u1']));
        expect(heard).toEqual([]); // not before the commit
      });
      expect(heard).toEqual([['u1', 'u2']]);
      await expect(
        db.transaction(async (tx) => {
          await usersChanged(tx, ['u3']);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(heard).toEqual([['u1', 'u2']]);
      await usersChanged(db, ['u4']); // a statement outside a transaction has committed when it returns
      expect(heard).toEqual([['u1', 'u2'], ['u4']]);
    } finally {
      stop();
    }
  });
});
