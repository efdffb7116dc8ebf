import type { RecurringBuyRequest } from '@cryptovault/contract';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import { TestPrices } from '../../../test/prices.ts';
import { insertUser } from '../../../test/users.ts';
import { rows } from '../../platform/db/sql.ts';
import { clusterNamespace } from '../../realtime/namespace.ts';
import { credit } from '../ledger/index.ts';
import { RecurringBuysService } from './recurring.service.ts';
import { RecurringBuyScheduler, runKey, runOrderBody, type SchedulerOptions } from './scheduler.ts';

/** No live feed: the market module polls a CoinCap stand-in that does not answer; the only prices are the test's. */
const QUIET_MARKET_ENV = { COINCAP_API_KEY: 'test-key', COINCAP_BASE_URL: 'http://127.0.0.1:9', PRICE_POLL_INTERVAL_MS: '3600000' };

// Scheduler tests in one process (embedded PGlite by default, PostgreSQL + Redis with DATABASE_URL / REDIS_URL):
// an injected clock decides what is due. The two-process races and the kills are in apps/api/test/recurring/.

let t: TestContext;
let prices: TestPrices;
let clock = new Date('2030-01-01T00:00:00Z');
const now = () => clock;

beforeAll(async () => {
  prices = new TestPrices();
  t = await createTestApp(QUIET_MARKET_ENV, { prices });
});
afterAll(async () => {
  await t.close();
});
beforeEach(() => {
  // Fresh prices (the orders path refuses market orders on stale ones).
  prices.stale = false;
  prices.tick({ bitcoin: '50000', ethereum: '2000' });
});

const service = () => new RecurringBuysService(t.platform, now);
const scheduler = (userIds: string[], opts: SchedulerOptions = {}) =>
  new RecurringBuyScheduler(t.platform, t.root.trading.orders, clusterNamespace(t.platform), { now, userIds, ...opts });

async function user(usd: string): Promise<string> {
  const u = await insertUser(t.platform.database);
  if (usd !== '0') await t.platform.database.db.transaction((tx) => credit(tx, { userId: u.id, asset: 'USD', amount: usd, reference: 'test:fund' }));
  return u.id;
}

const daily: RecurringBuyRequest = { assetId: 'BTC', quoteAmount: '25', frequency: 'daily', timeOfDay: '09:00' };

async function ordersOf(userId: string) {
  return rows<{ id: string; status: string; quote_amount: string | null }>(
    t.platform.database.db,
    sql`select id, status, quote_amount::text from orders where user_id = ${userId} order by created_at`,
  );
}
async function runsOf(scheduleId: string) {
  return rows<{ id: string; period: string; status: string; order_id: string | null; reason_code: string | null; fencing_token: string }>(
    t.platform.database.db,
    sql`select id, period, status, order_id, reason_code, fencing_token::text from recurring_buy_runs where schedule_id = ${scheduleId} order by scheduled_for`,
  );
}

describe('recurring-buy scheduler', () => {
  it('runs a due period once: a second sweep, or a second leader with the same token, buys nothing more', async () => {
    const u = await user('1000');
    clock = new Date('2030-01-01T08:00:00Z');
    const s = await service().create(u, daily);
    expect(s.nextRunAt).toBe('2030-01-01T09:00:00.000Z');
    const a = scheduler([u]);
    const token = await a.elect();
    expect((await a.sweep()).claimed).toBe(0); // not due yet
    clock = new Date('2030-01-01T09:00:05Z');
    expect(await a.sweep()).toMatchObject({ claimed: 1, filled: 1, skipped: 0 });
    expect(await a.sweep()).toMatchObject({ claimed: 0, filled: 0 });
    const b = scheduler([u]);
    b.adoptToken(token); // split brain: both think they lead
    expect(await b.sweep()).toMatchObject({ claimed: 0, filled: 0 });

    const [o] = await ordersOf(u);
    expect(await ordersOf(u)).toHaveLength(1);
    expect(o).toMatchObject({ status: 'closed', quote_amount: '25.000000000000000000' });
    const runs = await service().runs(u, s.id, 10);
    expect(runs.items).toHaveLength(1);
    expect(runs.items[0]).toMatchObject({ period: '2030-01-01T09:00:00.000Z', status: 'filled', orderId: o!.id, quoteAmount: '25.00', reason: null });
    expect(runs.items[0]!.amount).toMatch(/^0\.000\d+$/);
    expect(runs.items[0]!.price).toBe('50000');
    const view = await service().get(u, s.id);
    expect(view.nextRunAt).toBe('2030-01-02T09:00:00.000Z');
    expect(view.lastRun?.status).toBe('filled');
    await a.resign();
  });

  it('a late scheduler catches up only the latest missed period, never a backlog', async () => {
    const u = await user('1000');
    clock = new Date('2030-02-01T08:00:00Z');
    const s = await service().create(u, daily);
    const a = scheduler([u]);
    await a.elect();
    clock = new Date('2030-02-05T10:00:00Z'); // four periods came due (1st to 4th... and the 5th)
    expect(await a.sweep()).toMatchObject({ claimed: 1, filled: 1 });
    expect((await runsOf(s.id)).map((r) => r.period)).toEqual(['D2030-02-05']);
    expect(await ordersOf(u)).toHaveLength(1);
    expect((await service().get(u, s.id)).nextRunAt).toBe('2030-02-06T09:00:00.000Z');
  });

  it('a deposed leader with a stale fencing token claims nothing, and a leader deposed after its claim does not place the order', async () => {
    const u = await user('1000');
    clock = new Date('2030-03-01T08:00:00Z');
    const s = await service().create(u, daily);
    const old = scheduler([u]);
    const next = scheduler([u]);
    const t1 = await old.elect();
    const t2 = await next.elect();
    expect(t2).toBeGreaterThan(t1);
    clock = new Date('2030-03-01T09:00:01Z');
    expect(await old.sweep()).toMatchObject({ claimed: 0, deposed: true });
    expect(old.fencingToken).toBeNull();
    expect(await runsOf(s.id)).toEqual([]);

    // Deposed between its claim and the order: the run stays pending for the new leader, which places it once.
    const slow = scheduler([u], { hooks: { afterClaim: async () => void (await next.elect()) } });
    await slow.elect();
    expect(await slow.sweep()).toMatchObject({ claimed: 1, filled: 0, deposed: true });
    expect((await runsOf(s.id))[0]).toMatchObject({ status: 'pending', order_id: null });
    expect(await ordersOf(u)).toHaveLength(0);
    expect(await next.sweep()).toMatchObject({ recovered: 1, filled: 1 });
    const [run] = await runsOf(s.id);
    expect(run).toMatchObject({ status: 'filled', fencing_token: String(next.fencingToken) });
    expect(await ordersOf(u)).toHaveLength(1);
  });

  it('a crash after the claim, or after the order and before its record: the next leader finishes the run with exactly one order', async () => {
    const u1 = await user('1000');
    const u2 = await user('1000');
    clock = new Date('2030-04-01T08:00:00Z');
    const s1 = await service().create(u1, daily);
    const s2 = await service().create(u2, daily);
    clock = new Date('2030-04-01T09:00:00Z');
    const crash = () => {
      throw new Error('killed');
    };
    // After the claim: the sweep dies before the order.
    const a = scheduler([u1], { hooks: { afterClaim: crash } });
    await a.elect();
    await expect(a.sweep()).rejects.toThrow('killed');
    expect((await runsOf(s1.id))[0]).toMatchObject({ status: 'pending', order_id: null });
    expect(await ordersOf(u1)).toHaveLength(0);
    // After the order: placed, not recorded.
    const b = scheduler([u2], { hooks: { afterOrder: crash } });
    await b.elect();
    expect(await b.sweep()).toMatchObject({ claimed: 1, filled: 0 });
    expect((await runsOf(s2.id))[0]).toMatchObject({ status: 'pending', order_id: null });
    expect(await ordersOf(u2)).toHaveLength(1);

    const c = scheduler([u1, u2]);
    await c.elect();
    expect(await c.sweep()).toMatchObject({ recovered: 2, filled: 2, claimed: 0 });
    const [o1] = await ordersOf(u1);
    const [o2] = await ordersOf(u2);
    expect(await ordersOf(u1)).toHaveLength(1);
    expect(await ordersOf(u2)).toHaveLength(1);
    expect((await runsOf(s1.id))[0]).toMatchObject({ status: 'filled', order_id: o1!.id });
    expect((await runsOf(s2.id))[0]).toMatchObject({ status: 'filled', order_id: o2!.id });
  });

  it('skipped for missing funds: recorded with its reason, notified once, never retried into a buy', async () => {
    const u = await user('5');
    clock = new Date('2030-05-01T08:00:00Z');
    const s = await service().create(u, daily);
    const a = scheduler([u]);
    await a.elect();
    clock = new Date('2030-05-01T09:00:00Z');
    expect(await a.sweep()).toMatchObject({ claimed: 1, skipped: 1, filled: 0 });
    const [run] = (await service().runs(u, s.id, 10)).items;
    expect(run).toMatchObject({ status: 'skipped', reasonCode: 'INSUFFICIENT_FUNDS', orderId: null });
    expect(run!.reason).toMatch(/funds|balance/i);
    const notes = await rows<{ title: string; body: string }>(
      t.platform.database.db,
      sql`select title, body from notifications where user_id = ${u} and type = 'recurring_buy'`,
    );
    expect(notes).toHaveLength(1);
    expect(notes[0]!.title).toBe('Recurring buy skipped: $25.00 of BTC');

    // Funds arrive: nothing retries the period; even the same order sent again with the run's key places nothing.
    await t.platform.database.db.transaction((tx) => credit(tx, { userId: u, asset: 'USD', amount: '100', reference: 'test:fund' }));
    expect(await a.sweep()).toMatchObject({ claimed: 0, recovered: 0 });
    const again = await t.root.trading.orders.place(u, runOrderBody({ symbol: 'BTC/USD', quoteAmount: '25' }), runKey(s.id, 'D2030-05-01'));
    expect(again.replayed).toBe(true);
    expect(await ordersOf(u)).toHaveLength(0);
    // The next period buys.
    clock = new Date('2030-05-02T09:00:00Z');
    expect(await a.sweep()).toMatchObject({ claimed: 1, filled: 1 });
    expect(await ordersOf(u)).toHaveLength(1);
  });

  it('skipped on stale prices (the orders path refuses), with PRICE_STALE', async () => {
    const u = await user('1000');
    clock = new Date('2030-06-01T08:00:00Z');
    const s = await service().create(u, daily);
    const a = scheduler([u]);
    await a.elect();
    prices.stale = true;
    clock = new Date('2030-06-01T09:00:00Z');
    expect(await a.sweep()).toMatchObject({ skipped: 1 });
    expect((await service().runs(u, s.id, 10)).items[0]).toMatchObject({ status: 'skipped', reasonCode: 'PRICE_STALE' });
    expect(await ordersOf(u)).toHaveLength(0);
  });

  it('monthly on the 31st runs on the last day of a 30-day month and of February', async () => {
    const u = await user('1000');
    clock = new Date('2031-04-01T00:00:00Z');
    const s = await service().create(u, { assetId: 'ethereum', quoteAmount: '10.50', frequency: 'monthly', timeOfDay: '18:00', dayOfMonth: 31 });
    expect(s.nextRunAt).toBe('2031-04-30T18:00:00.000Z');
    const a = scheduler([u]);
    await a.elect();
    clock = new Date('2031-04-30T18:00:00Z');
    expect(await a.sweep()).toMatchObject({ filled: 1 });
    expect((await service().get(u, s.id)).nextRunAt).toBe('2031-05-31T18:00:00.000Z');
    clock = new Date('2032-02-29T18:30:00Z');
    expect(await a.sweep()).toMatchObject({ filled: 1 });
    expect((await runsOf(s.id)).map((r) => r.period)).toEqual(['M2031-04', 'M2032-02']);
    expect((await service().runs(u, s.id, 10)).items.map((r) => r.period)).toEqual(['2032-02-29T18:00:00.000Z', '2031-04-30T18:00:00.000Z']);
  });

  it('paused: not run; resumed: from the next period (no catch-up); an edit within a period does not buy twice', async () => {
    const u = await user('1000');
    clock = new Date('2030-07-01T08:00:00Z');
    const s = await service().create(u, daily);
    const a = scheduler([u]);
    await a.elect();
    await service().pause(u, s.id);
    clock = new Date('2030-07-03T12:00:00Z');
    expect(await a.sweep()).toMatchObject({ claimed: 0 });
    const resumed = await service().resume(u, s.id);
    expect(resumed.nextRunAt).toBe('2030-07-04T09:00:00.000Z');
    clock = new Date('2030-07-04T09:00:00Z');
    expect(await a.sweep()).toMatchObject({ filled: 1 });
    // Moved to 10:00 the same day: the day's period was bought, so the 10:00 run is a no-op.
    clock = new Date('2030-07-04T09:30:00Z');
    const edited = await service().update(u, s.id, { ...daily, timeOfDay: '10:00' });
    expect(edited.nextRunAt).toBe('2030-07-04T10:00:00.000Z');
    clock = new Date('2030-07-04T10:00:00Z');
    expect(await a.sweep()).toMatchObject({ claimed: 0 });
    expect(await ordersOf(u)).toHaveLength(1);
    expect((await service().get(u, s.id)).nextRunAt).toBe('2030-07-05T10:00:00.000Z');
  });
});
