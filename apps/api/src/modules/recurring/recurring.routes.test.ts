import { MAX_RECURRING_BUYS } from '@cryptovault/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, signIn, signUpVerified, type TestSession } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { TestPrices } from '../../../test/prices.ts';
import { clusterNamespace } from '../../realtime/namespace.ts';
import { credit } from '../ledger/index.ts';
import { RecurringBuyScheduler } from './scheduler.ts';

/** No live feed: the market module polls a CoinCap stand-in that does not answer; the only prices are the test's. */
const QUIET_MARKET_ENV = { COINCAP_API_KEY: 'test-key', COINCAP_BASE_URL: 'http://127.0.0.1:9', PRICE_POLL_INTERVAL_MS: '3600000' };

let t: TestContext;
const prices = new TestPrices();

beforeAll(async () => {
  t = await createTestApp(QUIET_MARKET_ENV, { prices });
});
afterAll(async () => {
  await t.close();
});

const weekly = { assetId: 'BTC', quoteAmount: '25', frequency: 'weekly', timeOfDay: '09:30', weekday: 1 };
const create = (u: TestSession, payload: Record<string, unknown>) => asUser(t, u).inject({ method: 'POST', url: '/api/recurring-buys', payload });

describe('recurring buys API', () => {
  it('create, read, edit, pause, resume and delete; decimal strings; the next run in UTC', async () => {
    const u = await signUpVerified(t);
    const res = await create(u, weekly);
    expect(res.statusCode, res.body).toBe(201);
    const s = res.json();
    expect(s).toMatchObject({
      assetId: 'bitcoin',
      symbol: 'BTC/USD',
      base: 'BTC',
      quoteAmount: '25.00',
      frequency: 'weekly',
      weekday: 1,
      dayOfMonth: null,
      status: 'active',
      lastRun: null,
    });
    const next = new Date(s.nextRunAt);
    expect(next.getUTCDay()).toBe(1);
    expect(next.toISOString().slice(11, 16)).toBe('09:30');
    expect(next.getTime()).toBeGreaterThan(Date.now());

    expect((await asUser(t, u).inject({ method: 'GET', url: '/api/recurring-buys' })).json().items.map((i: { id: string }) => i.id)).toEqual([s.id]);
    expect((await asUser(t, u).inject({ method: 'GET', url: `/api/recurring-buys/${s.id}` })).json()).toMatchObject({ id: s.id });

    const edited = await asUser(t, u).inject({
      method: 'PATCH',
      url: `/api/recurring-buys/${s.id}`,
      payload: { assetId: 'ethereum', quoteAmount: '100.5', frequency: 'monthly', timeOfDay: '18:00', dayOfMonth: 31 },
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ symbol: 'ETH/USD', quoteAmount: '100.50', frequency: 'monthly', weekday: null, dayOfMonth: 31 });

    const paused = await asUser(t, u).inject({ method: 'POST', url: `/api/recurring-buys/${s.id}/pause` });
    expect(paused.json()).toMatchObject({ status: 'paused', nextRunAt: null });
    const resumed = await asUser(t, u).inject({ method: 'POST', url: `/api/recurring-buys/${s.id}/resume` });
    expect(resumed.json().status).toBe('active');
    expect(new Date(resumed.json().nextRunAt).getTime()).toBeGreaterThan(Date.now());

    expect((await asUser(t, u).inject({ method: 'GET', url: `/api/recurring-buys/${s.id}/runs` })).json()).toEqual({ items: [] });
    expect((await asUser(t, u).inject({ method: 'DELETE', url: `/api/recurring-buys/${s.id}` })).statusCode).toBe(204);
    expect((await asUser(t, u).inject({ method: 'GET', url: `/api/recurring-buys/${s.id}` })).statusCode).toBe(404);
    expect((await asUser(t, u).inject({ method: 'GET', url: '/api/recurring-buys' })).json().items).toEqual([]);
  });

  it('refuses what cannot run, with the contract error and words for a person', async () => {
    const u = await signUpVerified(t);
    const bad: [Record<string, unknown>, number, string][] = [
      [{ ...weekly, quoteAmount: '0.50' }, 422, 'MIN_AMOUNT'],
      [{ ...weekly, quoteAmount: '25.001' }, 400, 'VALIDATION_ERROR'],
      [{ ...weekly, quoteAmount: 25 }, 400, 'VALIDATION_ERROR'],
      [{ ...weekly, quoteAmount: '-5' }, 400, 'VALIDATION_ERROR'],
      [{ ...weekly, weekday: undefined }, 400, 'VALIDATION_ERROR'],
      [{ ...weekly, frequency: 'daily' }, 400, 'VALIDATION_ERROR'],
      [{ ...weekly, timeOfDay: '9:30' }, 400, 'VALIDATION_ERROR'],
      [{ ...weekly, assetId: 'nocoin' }, 400, 'VALIDATION_ERROR'],
      [{ ...weekly, assetId: 'USD' }, 400, 'VALIDATION_ERROR'],
    ];
    for (const [payload, status, code] of bad) {
      const res = await create(u, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      expect(res.json().error.code, JSON.stringify(payload)).toBe(code);
      expect(res.json().error.message.length).toBeGreaterThan(5);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/recurring-buys' })).statusCode).toBe(401);
  });

  it("another user's recurring buy is a 404 for every action", async () => {
    const owner = await signUpVerified(t);
    const other = await signUpVerified(t);
    const s = (await create(owner, weekly)).json();
    const as = asUser(t, other);
    const attempts = [
      as.inject({ method: 'GET', url: `/api/recurring-buys/${s.id}` }),
      as.inject({ method: 'PATCH', url: `/api/recurring-buys/${s.id}`, payload: weekly }),
      as.inject({ method: 'POST', url: `/api/recurring-buys/${s.id}/pause` }),
      as.inject({ method: 'POST', url: `/api/recurring-buys/${s.id}/resume` }),
      as.inject({ method: 'GET', url: `/api/recurring-buys/${s.id}/runs` }),
      as.inject({ method: 'DELETE', url: `/api/recurring-buys/${s.id}` }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    }
    expect((await as.inject({ method: 'GET', url: '/api/recurring-buys' })).json().items).toEqual([]);
    expect((await asUser(t, owner).inject({ method: 'GET', url: `/api/recurring-buys/${s.id}` })).json().status).toBe('active');
  });

  it(`at most ${MAX_RECURRING_BUYS} per account; a deleted one frees its place`, async () => {
    const u = await signUpVerified(t);
    const ids: string[] = [];
    for (let i = 0; i < MAX_RECURRING_BUYS; i++) {
      const res = await create(u, { ...weekly, quoteAmount: String(10 + i) });
      expect(res.statusCode, res.body).toBe(201);
      ids.push(res.json().id);
    }
    const over = await create(u, weekly);
    expect(over.statusCode).toBe(422);
    expect(over.json().error).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    await asUser(t, u).inject({ method: 'DELETE', url: `/api/recurring-buys/${ids[0]}` });
    expect((await create(u, weekly)).statusCode).toBe(201);
  });

  it('schedules and their run history survive a restart (a new app on the same database)', async () => {
    let u = await signUpVerified(t);
    await t.platform.database.db.transaction((tx) => credit(tx, { userId: u.user.id, asset: 'USD', amount: '500', reference: 'test:fund' }));
    const s = (await create(u, { assetId: 'ETH', quoteAmount: '30', frequency: 'daily', timeOfDay: '00:00' })).json();
    prices.tick({ ethereum: '2000' });
    const clock = new Date(Date.parse(s.nextRunAt) + 1000);
    const scheduler = new RecurringBuyScheduler(t.platform, t.root.trading.orders, clusterNamespace(t.platform), { now: () => clock, userIds: [u.user.id] });
    await scheduler.elect();
    expect(await scheduler.sweep()).toMatchObject({ filled: 1 });
    await asUser(t, u).inject({ method: 'POST', url: `/api/recurring-buys/${s.id}/pause` });
    const before = (await asUser(t, u).inject({ method: 'GET', url: `/api/recurring-buys/${s.id}/runs` })).json();
    expect(before.items).toHaveLength(1);

    await t.close();
    t = await createTestApp(QUIET_MARKET_ENV, { prices: new TestPrices() });
    u = await signIn(t, u.user.email, u.password);
    const after = (await asUser(t, u).inject({ method: 'GET', url: `/api/recurring-buys/${s.id}` })).json();
    expect(after).toMatchObject({
      id: s.id,
      status: 'paused',
      nextRunAt: null,
      quoteAmount: '30.00',
      lastRun: { status: 'filled', orderId: before.items[0].orderId },
    });
    expect((await asUser(t, u).inject({ method: 'GET', url: `/api/recurring-buys/${s.id}/runs` })).json()).toEqual(before);
    const order = await asUser(t, u).inject({ method: 'GET', url: `/api/orders/${before.items[0].orderId}` });
    expect(order.json()).toMatchObject({ symbol: 'ETH/USD', side: 'buy', type: 'market', status: 'closed', quoteAmount: '30' });
  });
});
