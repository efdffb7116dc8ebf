import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownDatabaseForFile, type TestContext, usingPostgres } from '../../../test/helpers.ts';
import { rows } from '../../platform/db/sql.ts';
import { reconcile } from '../ledger/index.ts';
import { fillTriggered } from './fills.ts';
import { createTradingApp, tradingFixture } from './trading.fixtures.ts';

// Background work of other files' apps (engine resync, order-event passes, alert ticks) stays off this file's rows.
ownDatabaseForFile('cv_concurrency');

// Real races need server PostgreSQL (CI sets DATABASE_URL); on PGlite (one connection) the same tests still check
// the outcome, with the transactions serialised.
let t: TestContext;
let f: Awaited<ReturnType<typeof tradingFixture>>;
beforeAll(async () => {
  const app = await createTradingApp({ DB_POOL_SIZE: '20' });
  t = app.t;
  f = await tradingFixture(app);
});
afterAll(async () => {
  await t.close();
});

describe(`concurrency (${usingPostgres ? 'PostgreSQL' : 'PGlite, serialised'})`, () => {
  it('100 simultaneous market buys with funds for 10: exactly 10 fill, 90 INSUFFICIENT_FUNDS, books reconcile', async () => {
    // Each buy of 0.001 BTC at 50 000 costs 50 + 0.05 fee: 500.5 USD pays for exactly 10.
    const u = await f.user({ USD: '500.5' });
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => f.place(u, { amount: '0.001' })));
    const filled = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(filled).toHaveLength(10);
    expect(refused).toHaveLength(90);
    expect(
      refused
        .map((r) => (r.reason as { code?: string; cause?: Error }).code ?? String((r.reason as { cause?: Error }).cause))
        .filter((c) => c !== 'INSUFFICIENT_FUNDS'),
    ).toEqual([]);
    expect(await f.balance(u, 'USD')).toEqual({ available: '0', locked: '0' });
    expect(await f.balance(u, 'BTC')).toEqual({ available: '0.01', locked: '0' });
    const orders = await rows<{ n: number }>(t.platform.database.db, sql`select count(*)::int as n from orders where user_id = ${u}`);
    expect(orders[0]!.n).toBe(10);
    const r = await reconcile(t.platform.database.db);
    expect(r.ok).toBe(true);
    expect(r.items.every((i) => i.drift === '0')).toBe(true);
  });

  it('a cancel racing a fill: exactly one wins, and the money follows the winner', async () => {
    for (let i = 0; i < 15; i++) {
      const u = await f.user({ USD: '1000' });
      const o = await f.place(u, { type: 'limit', amount: '0.01', price: '45000' });
      t.root.trading.engine.book.remove(o.id); // this test plays the engine itself
      const [fill, cancel] = await Promise.allSettled([fillTriggered(t.platform, t.root.trading.engine, o.id, '44000'), f.orders.cancel(u, o.id)]);
      const final = await f.orders.get(u, o.id);
      if (final.status === 'closed') {
        expect(fill).toEqual({ status: 'fulfilled', value: 'filled' });
        expect(cancel).toMatchObject({ status: 'rejected', reason: { code: 'INVALID_STATE' } });
        expect(await f.balance(u, 'USD')).toEqual({ available: '559.56', locked: '0' });
        expect(await f.balance(u, 'BTC')).toEqual({ available: '0.01', locked: '0' });
      } else {
        expect(final.status).toBe('canceled');
        expect(fill).toEqual({ status: 'fulfilled', value: 'skipped' });
        expect(cancel.status).toBe('fulfilled');
        expect(await f.balance(u, 'USD')).toEqual({ available: '1000', locked: '0' });
        expect(await f.balance(u, 'BTC')).toEqual({ available: '0', locked: '0' });
      }
    }
    expect((await reconcile(t.platform.database.db)).ok).toBe(true);
  });

  it('the same Idempotency-Key sent 20 times at once creates one order', async () => {
    const u = await f.user({ USD: '10000' });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => f.place(u, { amount: '0.01' }, 'same-key')));
    const ids = new Set(results.filter((r) => r.status === 'fulfilled').map((r) => r.value.id));
    expect(ids.size).toBe(1);
    // A request that found the first still in flight may be told to retry (409); none may create a second order.
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONFLICT' });
    const orders = await rows<{ n: number }>(t.platform.database.db, sql`select count(*)::int as n from orders where user_id = ${u}`);
    expect(orders[0]!.n).toBe(1);
    expect(await f.balance(u, 'BTC')).toEqual({ available: '0.01', locked: '0' });
  });
});
