import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { ASSETS } from '../../platform/assets.ts';
import { SIM_PARAMS } from './sim-params.ts';
import { SimulatedMarket } from './simulated.ts';

const T = Date.UTC(2026, 10, 15, 12, 0, 0);
const ratio = (a: string, b: string) => new Decimal(a).div(b).toNumber();

describe('simulated market', () => {
  it('has parameters for every listed asset', () => {
    for (const a of ASSETS) expect(SIM_PARAMS[a.id], a.id).toBeDefined();
  });

  it('is deterministic for a seed and a time, whatever was evaluated before', async () => {
    const a = new SimulatedMarket('seed-1');
    const b = new SimulatedMarket('seed-1');
    // b evaluates far-away times first: caches and evaluation order must not change any value.
    await b.history('bitcoin', 'd1', T - 300 * 86_400_000, T);
    expect(b.priceAt('bitcoin', T)).toBe(a.priceAt('bitcoin', T));
    expect(b.priceAt('ethereum', T - 12_345_678)).toBe(a.priceAt('ethereum', T - 12_345_678));
    expect(await b.history('solana', 'h1', T - 86_400_000, T)).toEqual(await a.history('solana', 'h1', T - 86_400_000, T));
    const c = new SimulatedMarket('seed-2');
    expect(c.priceAt('bitcoin', T)).not.toBe(a.priceAt('bitcoin', T));
  });

  it('moves continuously: no jumps between neighbouring seconds, minutes or across a "restart"', () => {
    const m = new SimulatedMarket();
    for (const id of ['bitcoin', 'dogecoin', 'aave']) {
      let prev = m.priceAt(id, T);
      for (let s = 1; s <= 120; s++) {
        const cur = m.priceAt(id, T + s * 1000);
        // One second of a ~90 % annual volatility is ~0.02 %; 1 % would be a jump.
        expect(Math.abs(Math.log(ratio(cur, prev)))).toBeLessThan(0.01);
        prev = cur;
      }
    }
    // A new instance (a restarted process) continues the same path.
    expect(new SimulatedMarket().priceAt('bitcoin', T + 60_000)).toBe(m.priceAt('bitcoin', T + 60_000));
  });

  it('moves at all, and stays near realistic levels over years', () => {
    const m = new SimulatedMarket();
    expect(m.priceAt('bitcoin', T)).not.toBe(m.priceAt('bitcoin', T + 5000));
    for (const a of ASSETS) {
      const start = SIM_PARAMS[a.id]!.startPrice;
      for (const t of [Date.UTC(2025, 0, 1), T, Date.UTC(2028, 5, 1)]) {
        const r = ratio(m.priceAt(a.id, t), String(start));
        expect(r, `${a.id} at ${new Date(t).toISOString()}`).toBeGreaterThan(0.25);
        expect(r).toBeLessThan(4);
      }
    }
    const usdt = ratio(m.priceAt('tether', T), '1');
    expect(Math.abs(usdt - 1)).toBeLessThan(0.02);
  });

  it('has the volatility it was given (daily log returns over a year)', async () => {
    const m = new SimulatedMarket('vol');
    const h = await m.history('bitcoin', 'h1', T - 60 * 86_400_000, T);
    const r = h.slice(1).map((p, i) => Math.log(ratio(p.priceUsd, h[i]!.priceUsd)));
    const sd = Math.sqrt(r.reduce((s, x) => s + x * x, 0) / r.length) * Math.sqrt(24 * 365.25);
    expect(sd).toBeGreaterThan(0.55 * 0.6);
    expect(sd).toBeLessThan(0.55 * 1.6);
  });

  it('history is the same path the current price is on', async () => {
    const m = new SimulatedMarket();
    const h = await m.history('ethereum', 'm5', T - 3_600_000, T);
    expect(h).toHaveLength(13);
    expect(h.at(-1)).toEqual({ time: T, priceUsd: m.priceAt('ethereum', T), date: new Date(T).toISOString() });
    expect(h.every((p, i) => i === 0 || p.time - h[i - 1]!.time === 300_000)).toBe(true);
  });

  it('an override holds exactly, then the walk continues from it (no snapping back)', () => {
    const m = new SimulatedMarket();
    const before = m.priceAt('bitcoin', T - 1);
    m.setOverride({ assetId: 'bitcoin', priceUsd: '50000.12', setAt: T, holdUntil: T + 10_000 });
    expect(m.priceAt('bitcoin', T - 1)).toBe(before);
    expect(m.priceAt('bitcoin', T)).toBe('50000.12');
    expect(m.priceAt('bitcoin', T + 9_999)).toBe('50000.12');
    const later = m.priceAt('bitcoin', T + 3_600_000);
    expect(Math.abs(Math.log(ratio(later, '50000.12')))).toBeLessThan(0.05);
    // The same override arriving again (from pub/sub) changes nothing.
    const v = m.historyVersion();
    m.setOverride({ assetId: 'bitcoin', priceUsd: '50000.12', setAt: T, holdUntil: T + 10_000 });
    expect(m.historyVersion()).toBe(v);
  });

  it('snapshots carry decimal strings, market caps from supply and a rank by market cap', async () => {
    const { assets } = await new SimulatedMarket().snapshot(T);
    expect(assets).toHaveLength(ASSETS.length);
    const btc = assets.find((a) => a.id === 'bitcoin')!;
    expect(btc.rank).toBe(1);
    expect(btc.priceUsd).toMatch(/^\d+\.\d{6}$/);
    expect(new Decimal(btc.marketCapUsd!).toFixed(0)).toBe(new Decimal(btc.priceUsd).mul(btc.supply!).toFixed(0));
    expect(btc.changePercent24Hr).toMatch(/^-?\d+\.\d{8}$/);
    expect(new Set(assets.map((a) => a.rank)).size).toBe(ASSETS.length);
  });
});
