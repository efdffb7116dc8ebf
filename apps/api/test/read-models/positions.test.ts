import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownDatabaseForFile, type TestContext } from '../helpers.ts';
import { rows } from '../../src/platform/db/sql.ts';
import { D, type Dec, ZERO } from '../../src/modules/ledger/index.ts';
import { createTradingApp, tradingFixture } from '../../src/modules/trading/trading.fixtures.ts';
import { positionsOf } from '../../src/modules/portfolio/portfolio.repo.ts';
import { getPortfolio } from '../../src/modules/portfolio/portfolio.service.ts';

// Background work of other files' apps (engine resync, order-event passes, alert ticks) stays off this file's rows.
ownDatabaseForFile('cv_positions');

/** The reference: average cost over a user's fills in execution order, fees included (what the portfolio used to compute per request). */
function averageCosts(fills: { base: string; side: string; filled: string; cost: string; fee_cost: string }[]): Map<string, { qty: Dec; basis: Dec }> {
  const pos = new Map<string, { qty: Dec; basis: Dec }>();
  for (const f of fills) {
    const p = pos.get(f.base) ?? { qty: ZERO, basis: ZERO };
    const filled = new D(f.filled);
    if (f.side === 'buy') {
      p.qty = p.qty.plus(filled);
      p.basis = p.basis.plus(f.cost).plus(f.fee_cost);
    } else if (p.qty.gt(0)) {
      const sold = D.min(filled, p.qty);
      p.basis = p.basis.minus(p.basis.times(sold).div(p.qty));
      p.qty = p.qty.minus(sold);
    }
    pos.set(f.base, p);
  }
  return pos;
}

let t: TestContext;
let fx: Awaited<ReturnType<typeof tradingFixture>>;

beforeAll(async () => {
  const app = await createTradingApp();
  t = app.t;
  fx = await tradingFixture(app);
});
afterAll(() => t.close());

describe('positions kept by the database as fills post', () => {
  it('equal the average cost recomputed from every fill, over a random run of buys, sells and a triggered limit order', async () => {
    const user = await fx.user({ USD: '1000000' });
    // A fixed pseudo-random run (reproducible): prices, sizes and sides vary; sells sometimes exceed what is held.
    let seed = 20261204;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const limit = await fx.place(user, { type: 'limit', amount: '0.05', price: '45000' });
    for (let i = 0; i < 24; i++) {
      await fx.tick({ bitcoin: String(40_000 + Math.round(rnd() * 20_000)), ethereum: String(1500 + Math.round(rnd() * 1000)) });
      const symbol = rnd() < 0.7 ? 'BTC/USD' : 'ETH/USD';
      if (rnd() < 0.65) {
        await fx.place(user, { symbol, side: 'buy', quoteAmount: String(100 + Math.round(rnd() * 900)) });
      } else {
        const held = await fx.balance(user, symbol.slice(0, 3));
        const amount = new D(held.available).times(rnd()).toDecimalPlaces(6, D.ROUND_DOWN);
        if (amount.gt(0)) await fx.place(user, { symbol, side: 'sell', amount: amount.toFixed() });
      }
    }
    await fx.tick({ bitcoin: '44000' }); // the resting limit buy fills
    const filled = await rows<{ status: string }>(t.platform.database.db, sql`select status from orders where id = ${limit.id}`);
    expect(filled[0]?.status).toBe('closed');

    const fills = await rows<{ base: string; side: string; filled: string; cost: string; fee_cost: string }>(
      t.platform.database.db,
      sql`select base, side, filled::text, cost::text, fee_cost::text from orders where user_id = ${user} and filled > 0 order by updated_at, id`,
    );
    expect(fills.length).toBeGreaterThan(15);
    const expected = averageCosts(fills);
    const actual = new Map((await positionsOf(t.platform.database.db, user)).map((p) => [p.asset, p]));
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [asset, e] of expected) {
      const a = actual.get(asset)!;
      expect(new D(a.qty).toFixed(18)).toBe(e.qty.toFixed(18));
      // numeric division and decimal.js round the sold share of the basis at different digits: equal to 1e-10 USD.
      expect(new D(a.basis).minus(e.basis).abs().lt('1e-10')).toBe(true);
    }
  });

  it('values the portfolio from them: average cost and unrealised P&L at the current price', async () => {
    const user = await fx.user({ USD: '100000' });
    await fx.tick({ bitcoin: '50000' });
    await fx.place(user, { quoteAmount: '1000' });
    await fx.tick({ bitcoin: '60000' });
    await fx.place(user, { quoteAmount: '1000' });
    await fx.tick({ bitcoin: '55000' });
    const p = await getPortfolio(t.platform, user);
    const btc = p.holdings.find((h) => h.asset === 'BTC')!;
    const [pos] = (await positionsOf(t.platform.database.db, user)).filter((x) => x.asset === 'BTC');
    const avg = new D(pos!.basis).div(pos!.qty);
    expect(btc.averageCostUsd).toBe(avg.toDecimalPlaces(8, D.ROUND_HALF_UP).toFixed());
    // Bought at 50,000 and 60,000 with fees: the average sits between them, above the 54,545 of fee-free buys.
    expect(avg.gt(54_545) && avg.lt(60_000)).toBe(true);
    expect(btc.unrealizedPnlUsd).toBe(new D(55_000).minus(avg).times(btc.amount).toDecimalPlaces(2, D.ROUND_HALF_UP).toFixed(2));
  });
});
