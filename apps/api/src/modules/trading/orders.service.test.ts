import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownDatabaseForFile, type TestContext } from '../../../test/helpers.ts';
import { rows } from '../../platform/db/sql.ts';
import { credit, reconcile } from '../ledger/index.ts';
import { createTradingApp, tradingFixture } from './trading.fixtures.ts';

// Background work of other files' apps (engine resync, order-event passes, alert ticks) stays off this file's rows.
ownDatabaseForFile('cv_orders');

let t: TestContext;
let f: Awaited<ReturnType<typeof tradingFixture>>;
beforeAll(async () => {
  const app = await createTradingApp();
  t = app.t;
  f = await tradingFixture(app);
});
afterAll(async () => {
  expect((await reconcile(t.platform.database.db)).ok).toBe(true);
  await t.close();
});

describe('market orders', () => {
  it('buy fills at the server price with the fee to platform revenue', async () => {
    const u = await f.user({ USD: '1000' });
    const o = await f.place(u, { amount: '0.01' });
    expect(o).toMatchObject({
      status: 'closed',
      filled: '0.01',
      remaining: '0',
      average: '50000',
      cost: '500',
      fee: { currency: 'USD', cost: '0.5', rate: '0.001' },
    });
    expect(await f.balance(u, 'USD')).toEqual({ available: '499.5', locked: '0' });
    expect(await f.balance(u, 'BTC')).toEqual({ available: '0.01', locked: '0' });
  });

  it('buy by quoteAmount spends at most that, fee included', async () => {
    const u = await f.user({ USD: '100' });
    const o = await f.place(u, { quoteAmount: '100' });
    expect(o.status).toBe('closed');
    // USD figures in cents (issue 20): 0.00199809 BTC costs 99.90 + fee 0.10 = 100.00.
    expect(o).toMatchObject({ amount: '0.00199809', cost: '99.9', fee: { cost: '0.1' } });
    const spent = Number(o.cost) + Number(o.fee.cost);
    expect(spent).toBeLessThanOrEqual(100);
    expect(await f.balance(u, 'USD')).toEqual({ available: '0', locked: '0' });
    expect(await f.balance(u, 'BTC')).toEqual({ available: '0.00199809', locked: '0' });
  });

  it('sell pays cost minus fee', async () => {
    const u = await f.user({ ETH: '2' });
    const o = await f.place(u, { symbol: 'ETH/USD', side: 'sell', amount: '1.5' });
    expect(o).toMatchObject({ status: 'closed', cost: '3000', fee: { cost: '3' } });
    expect(await f.balance(u, 'USD')).toEqual({ available: '2997', locked: '0' });
    expect(await f.balance(u, 'ETH')).toEqual({ available: '0.5', locked: '0' });
  });

  it('refuses without funds, below the minimum, with too many decimals, and on a stale feed', async () => {
    const u = await f.user({ USD: '10' });
    await expect(f.place(u, { amount: '0.001' })).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    await expect(f.place(u, { amount: '0.000001' })).rejects.toMatchObject({ code: 'MIN_AMOUNT' });
    await expect(f.place(u, { amount: '0.000000001' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    f.prices.stale = true;
    try {
      await expect(f.place(u, { amount: '0.0001' })).rejects.toMatchObject({ code: 'PRICE_STALE' });
    } finally {
      f.prices.stale = false;
    }
    expect(await f.balance(u, 'USD')).toEqual({ available: '10', locked: '0' });
  });

  it('clientOrderId is unique per user; Idempotency-Key replays the first result', async () => {
    const u = await f.user({ USD: '1000' });
    await f.place(u, { amount: '0.001', clientOrderId: 'abc' });
    await expect(f.place(u, { amount: '0.001', clientOrderId: 'abc' })).rejects.toMatchObject({ code: 'CONFLICT' });
    const first = await f.place(u, { amount: '0.001' }, 'key-1');
    const again = await f.place(u, { amount: '0.001' }, 'key-1');
    expect(again.id).toBe(first.id);
    await expect(f.place(u, { amount: '0.002' }, 'key-1')).rejects.toMatchObject({ code: 'IDEMPOTENCY_MISMATCH' });
    expect(await f.balance(u, 'BTC')).toEqual({ available: '0.002', locked: '0' });
  });
});

describe('market orders filled in batches (group commit)', () => {
  /** Users who have traded BTC once already, so their accounts exist and their next orders can be batched. */
  async function traders(n: number, usd: string): Promise<string[]> {
    const users: string[] = [];
    for (let i = 0; i < n; i++) {
      const u = await f.user({ USD: usd });
      await f.place(u, { amount: '0.001' });
      users.push(u);
    }
    return users;
  }

  it('orders placed at once share statements, and each answer is exactly its stored order', async () => {
    const users = await traders(20, '1000');
    const batches = async () => {
      const values = (await t.platform.metrics.marketFillBatch.get()).values;
      const pick = (name: string) => values.find((v) => v.metricName === name)?.value ?? 0;
      return { count: pick('market_fill_batch_size_count'), sum: pick('market_fill_batch_size_sum') };
    };
    const before = await batches();
    const placed = await Promise.all(users.map((u) => f.place(u, { amount: '0.001' })));
    const after = await batches();
    // The metric operators see: 20 orders, far fewer statements.
    expect(after.sum - before.sum).toBe(20);
    expect(after.count - before.count).toBeLessThanOrEqual(5);
    for (const [i, o] of placed.entries()) {
      expect(o).toMatchObject({ status: 'closed', filled: '0.001', average: '50000', cost: '50', fee: { cost: '0.05' } });
      expect(await f.orders.get(users[i]!, o.id)).toEqual(o);
      expect(await f.balance(users[i]!, 'USD')).toEqual({ available: '899.9', locked: '0' });
      expect(await f.balance(users[i]!, 'BTC')).toEqual({ available: '0.002', locked: '0' });
    }
    // Orders committed by one statement carry its transaction time: 20 orders, far fewer distinct times.
    const times = await rows<{ n: number }>(
      t.platform.database.db,
      sql`select count(distinct created_at)::int as n from orders where id = any(${`{${placed.map((o) => o.id).join(',')}}`}::uuid[])`,
    );
    expect(times[0]!.n).toBeLessThanOrEqual(5);
    // Each order still has its own balanced entry.
    const entries = await rows<{ n: number }>(
      t.platform.database.db,
      sql`select count(*)::int as n from journal_entries where reference = any(${`{${placed.map((o) => `order:${o.id}`).join(',')}}`}::text[])`,
    );
    expect(entries[0]!.n).toBe(20);
    expect((await reconcile(t.platform.database.db)).ok).toBe(true);
  });

  it('one order the batch cannot take is refused alone: the others in its batch fill', async () => {
    const users = await traders(10, '1000');
    const [poor] = await traders(1, '100'); // 49.95 USD left: not enough for 0.01 BTC
    const [dup] = await traders(1, '1000');
    const results = await Promise.allSettled([
      ...users.map((u) => f.place(u, { amount: '0.001' })),
      f.place(poor!, { amount: '0.01' }),
      f.place(dup!, { amount: '0.001', clientOrderId: 'twice' }),
      f.place(dup!, { amount: '0.001', clientOrderId: 'twice' }),
    ]);
    expect(results.slice(0, 10).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results[10]).toMatchObject({ status: 'rejected', reason: { code: 'INSUFFICIENT_FUNDS' } });
    const dupResults = results.slice(11);
    expect(dupResults.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(dupResults.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT' } });
    for (const u of users) expect(await f.balance(u, 'BTC')).toEqual({ available: '0.002', locked: '0' });
    expect(await f.balance(poor!, 'USD')).toEqual({ available: '49.95', locked: '0' });
    expect(await f.balance(dup!, 'BTC')).toEqual({ available: '0.002', locked: '0' });
    expect((await reconcile(t.platform.database.db)).ok).toBe(true);
  });
});

describe('orders with an Idempotency-Key (the web app always sends one)', () => {
  const batches = async () => {
    const values = (await t.platform.metrics.marketFillBatch.get()).values;
    const pick = (name: string) => values.find((v) => v.metricName === name)?.value ?? 0;
    return { count: pick('market_fill_batch_size_count'), sum: pick('market_fill_batch_size_sum') };
  };

  it('are filled in batches too, and each key stores exactly the answer its order got', async () => {
    const users: string[] = [];
    for (let i = 0; i < 20; i++) {
      const u = await f.user({ USD: '1000' });
      await f.place(u, { amount: '0.001' }, `warm-${i}`);
      users.push(u);
    }
    const before = await batches();
    const placed = await Promise.all(users.map((u, i) => f.place(u, { amount: '0.001' }, `batched-${i}`)));
    const after = await batches();
    expect(after.sum - before.sum).toBe(20);
    expect(after.count - before.count).toBeLessThanOrEqual(5);
    for (const [i, o] of placed.entries()) {
      expect(await f.orders.get(users[i]!, o.id)).toEqual(o);
      const again = await f.orders.place(users[i]!, { symbol: 'BTC/USD', side: 'buy', type: 'market', amount: '0.001' }, `batched-${i}`);
      expect(again).toEqual({ order: o, replayed: true });
      expect(await f.balance(users[i]!, 'BTC')).toEqual({ available: '0.002', locked: '0' });
    }
    expect((await reconcile(t.platform.database.db)).ok).toBe(true);
  });

  it('a replay answers the first result even when the funds are spent since; a refused request stores nothing', async () => {
    const u = await f.user({ USD: '50.05' });
    const first = await f.place(u, { amount: '0.001' }, 'all-in');
    expect(await f.balance(u, 'USD')).toEqual({ available: '0', locked: '0' });
    expect(await f.place(u, { amount: '0.001' }, 'all-in')).toEqual(first);
    await expect(f.place(u, { amount: '0.001' }, 'refused')).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    const poor = await f.user({ USD: '10' });
    await expect(f.place(poor, { amount: '0.001' }, 'later')).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    await t.platform.database.db.transaction((tx) => credit(tx, { userId: poor, asset: 'USD', amount: '100', reference: 'test:fund' }));
    // The key of the refused request was not kept: the same key now places the order.
    const placed = await f.place(poor, { amount: '0.001' }, 'later');
    expect(placed.status).toBe('closed');
    expect(await f.balance(poor, 'BTC')).toEqual({ available: '0.001', locked: '0' });
  });

  it('a replay among new orders does not refuse them, and a different body under the key is refused', async () => {
    const users = await Promise.all(Array.from({ length: 8 }, () => f.user({ USD: '1000' })));
    const first = await f.place(users[0]!, { amount: '0.001', clientOrderId: 'replayed-coid' }, 'replayed');
    const results = await Promise.allSettled([
      ...users.map((u, i) => f.place(u, { amount: '0.001' }, `fresh-${i}`)),
      f.place(users[0]!, { amount: '0.001', clientOrderId: 'replayed-coid' }, 'replayed'),
      f.place(users[0]!, { amount: '0.002' }, 'replayed'),
    ]);
    expect(results.slice(0, 8).every((r) => r.status === 'fulfilled' && r.value.status === 'closed')).toBe(true);
    expect(results[8]).toEqual({ status: 'fulfilled', value: first });
    expect(results[9]).toMatchObject({ status: 'rejected', reason: { code: 'IDEMPOTENCY_MISMATCH' } });
    expect(await f.balance(users[0]!, 'BTC')).toEqual({ available: '0.002', locked: '0' });
    expect((await reconcile(t.platform.database.db)).ok).toBe(true);
  });

  it('a resting order replays its first answer (open) after it has filled', async () => {
    const u = await f.user({ USD: '1000' });
    const body = { type: 'limit' as const, amount: '0.01', price: '49000' };
    const o = await f.place(u, body, 'limit-key');
    expect(o.status).toBe('open');
    await f.tick({ bitcoin: '48000' });
    expect((await f.orders.get(u, o.id)).status).toBe('closed');
    expect(await f.place(u, body, 'limit-key')).toEqual(o);
    await f.tick({ bitcoin: '50000' });
    expect(await f.balance(u, 'BTC')).toEqual({ available: '0.01', locked: '0' });
  });

  it('an IOC that expires at once (no ledger entry) keeps its key too', async () => {
    const u = await f.user({ USD: '1000' });
    const body = { type: 'limit' as const, amount: '0.01', price: '40000', timeInForce: 'IOC' as const };
    const o = await f.place(u, body, 'ioc-key');
    expect(o.status).toBe('expired');
    expect(await f.place(u, body, 'ioc-key')).toEqual(o);
    await expect(f.place(u, { ...body, amount: '0.02' }, 'ioc-key')).rejects.toMatchObject({ code: 'IDEMPOTENCY_MISMATCH' });
    const n = await rows<{ n: number }>(t.platform.database.db, sql`select count(*)::int as n from orders where user_id = ${u}`);
    expect(n[0]!.n).toBe(1);
  });
});

describe('limit, stop-loss and take-profit orders', () => {
  it('a limit buy holds cost + fee, fills when the price falls to it (not before) at the market price', async () => {
    const u = await f.user({ USD: '1000' });
    const o = await f.place(u, { type: 'limit', amount: '0.01', price: '49000' });
    expect(o.status).toBe('open');
    expect(await f.balance(u, 'USD')).toEqual({ available: '509.51', locked: '490.49' });
    await f.tick({ bitcoin: '49000.01' });
    expect((await f.orders.get(u, o.id)).status).toBe('open');
    await f.tick({ bitcoin: '48900' });
    const filled = await f.orders.get(u, o.id);
    expect(filled).toMatchObject({ status: 'closed', average: '48900', cost: '489', fee: { cost: '0.49' } });
    // The fee is rounded up to the cent (0.489 → 0.49), as the hold assumed.
    expect(await f.balance(u, 'USD')).toEqual({ available: '510.51', locked: '0' });
    expect(await f.balance(u, 'BTC')).toEqual({ available: '0.01', locked: '0' });
    await f.tick({ bitcoin: '50000' });
  });

  it('a marketable limit fills at once at the better (server) price', async () => {
    const u = await f.user({ USD: '1000' });
    const o = await f.place(u, { type: 'limit', amount: '0.01', price: '60000' });
    expect(o).toMatchObject({ status: 'closed', average: '50000', cost: '500' });
  });

  it('IOC that cannot fill now expires and holds nothing', async () => {
    const u = await f.user({ USD: '1000' });
    const o = await f.place(u, { type: 'limit', amount: '0.01', price: '40000', timeInForce: 'IOC' });
    expect(o.status).toBe('expired');
    expect(await f.balance(u, 'USD')).toEqual({ available: '1000', locked: '0' });
  });

  it('cancel releases exactly what is still held; a second cancel is refused', async () => {
    const u = await f.user({ BTC: '1' });
    const o = await f.place(u, { type: 'limit', side: 'sell', amount: '0.3', price: '70000' });
    expect(await f.balance(u, 'BTC')).toEqual({ available: '0.7', locked: '0.3' });
    const c = await f.orders.cancel(u, o.id);
    expect(c.status).toBe('canceled');
    expect(await f.balance(u, 'BTC')).toEqual({ available: '1', locked: '0' });
    await expect(f.orders.cancel(u, o.id)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    const other = await f.user();
    await expect(f.orders.cancel(other, o.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(f.orders.get(other, o.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await f.tick({ bitcoin: '71000' });
    expect((await f.orders.get(u, o.id)).status).toBe('canceled');
    await f.tick({ bitcoin: '50000' });
  });

  it('stop-loss sell fires when the price falls to the trigger; take-profit sell when it rises to it', async () => {
    const u = await f.user({ ETH: '2' });
    const stop = await f.place(u, { symbol: 'ETH/USD', type: 'stop_loss', side: 'sell', amount: '1', triggerPrice: '1800' });
    const tp = await f.place(u, { symbol: 'ETH/USD', type: 'take_profit', side: 'sell', amount: '1', triggerPrice: '2500' });
    expect(await f.balance(u, 'ETH')).toEqual({ available: '0', locked: '2' });
    await f.tick({ ethereum: '2400' });
    await f.tick({ ethereum: '1900' });
    expect((await f.orders.get(u, stop.id)).status).toBe('open');
    expect((await f.orders.get(u, tp.id)).status).toBe('open');
    await f.tick({ ethereum: '1790' });
    expect(await f.orders.get(u, stop.id)).toMatchObject({ status: 'closed', average: '1790' });
    expect((await f.orders.get(u, tp.id)).status).toBe('open');
    await f.tick({ ethereum: '2500' });
    expect(await f.orders.get(u, tp.id)).toMatchObject({ status: 'closed', average: '2500' });
    expect(await f.balance(u, 'ETH')).toEqual({ available: '0', locked: '0' });
    await f.tick({ ethereum: '2000' });
  });

  it('stop-loss buy fires when the price rises to the trigger; take-profit buy when it falls to it', async () => {
    const u = await f.user({ USD: '10000' });
    const stop = await f.place(u, { type: 'stop_loss', amount: '0.01', triggerPrice: '55000' });
    const tp = await f.place(u, { type: 'take_profit', amount: '0.01', triggerPrice: '45000' });
    await f.tick({ bitcoin: '54000' });
    expect((await f.orders.get(u, stop.id)).status).toBe('open');
    await f.tick({ bitcoin: '55500' });
    expect(await f.orders.get(u, stop.id)).toMatchObject({ status: 'closed', average: '55500' });
    expect((await f.orders.get(u, tp.id)).status).toBe('open');
    await f.tick({ bitcoin: '44000' });
    expect(await f.orders.get(u, tp.id)).toMatchObject({ status: 'closed', average: '44000' });
    await f.tick({ bitcoin: '50000' });
  });

  it('never triggers on stale data', async () => {
    const u = await f.user({ USD: '1000' });
    const o = await f.place(u, { type: 'limit', amount: '0.01', price: '45000' });
    f.prices.stale = true;
    try {
      await f.tick({ bitcoin: '40000' });
      expect((await f.orders.get(u, o.id)).status).toBe('open');
    } finally {
      f.prices.stale = false;
    }
    await f.orders.cancel(u, o.id);
    await f.tick({ bitcoin: '50000' });
  });

  it('a restarted engine rebuilds its book from the database and loses no order', async () => {
    const u = await f.user({ USD: '1000' });
    const o = await f.place(u, { type: 'limit', amount: '0.01', price: '47000' });
    expect(o.status).toBe('open');
    const engine = t.root.trading.engine;
    await engine.stop();
    expect(engine.book.size).toBe(0);
    await engine.start();
    expect(engine.book.has(o.id)).toBe(true);
    await f.tick({ bitcoin: '46000' });
    expect((await f.orders.get(u, o.id)).status).toBe('closed');
    await f.tick({ bitcoin: '50000' });
  });
});
