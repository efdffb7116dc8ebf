import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, sharedDatabase, type TestContext } from '../../../test/helpers.ts';
import type { Database } from '../../platform/db/client.ts';
import { backfillFromPoints, CandleRecorder, pruneCandles, readCandles } from './candles.ts';

const DAY = 86_400_000;
const MIN = 60_000;
const silent = { warn: () => undefined } as never;

let db: Database;
let ctx: TestContext;
beforeAll(async () => {
  db = await sharedDatabase();
  ctx = await createTestApp({ USE_MOCK_PRICES: 'true' });
});
afterAll(async () => {
  await ctx?.close();
});

/** Candles of a throwaway asset id: tests sharing one PostgreSQL never see each other's rows. */
const testAsset = () => `test-${randomUUID().slice(0, 8)}`;
const ohlcv = (c: { open: string; high: string; low: string; close: string; volume: string }) => [c.open, c.high, c.low, c.close, c.volume];

describe('candles from price ticks', () => {
  // Yesterday 00:00 UTC: inside every retention window, on every bucket boundary up to 1d.
  const T = Math.floor(Date.now() / DAY) * DAY - DAY;
  const asset = testAsset();
  // 24h volume of 86,400,000 USD is 1,000 USD a second before the move weight (0.6 + 2000 × |move|, at most 3.6).
  const V = '86400000';

  it('builds 1m candles and rolls them up to 5m…1d exactly as worked by hand, across two flushes', async () => {
    const rec = new CandleRecorder({ database: db, log: silent });
    rec.record(asset, T, '100', V); // first tick: no volume
    rec.record(asset, T + 20_000, '105', V); // 20 s × 1000 × 3.6 = 72,000
    await rec.flush(T + 30_000);
    rec.record(asset, T + 40_000, '95', V); // 72,000
    rec.record(asset, T + 60_000, '98', V); // next minute: 72,000
    rec.record(asset, T + 5 * MIN + 10_000, '99', V); // 250 s later, move 1 %: 250 × 1000 × 3.6 = 900,000
    expect(rec.pending).toBe(3);
    await rec.flush(T + 6 * MIN);
    expect(rec.pending).toBe(0);

    const read = async (i: '1m' | '5m' | '15m' | '1h' | '4h' | '1d') =>
      (await readCandles(db.db, asset, i, T - DAY, T + DAY, 100)).map((c) => [c.time - T, ...ohlcv(c)]);
    expect(await read('1m')).toEqual([
      [0, '100', '105', '95', '95', '144000.00'],
      [MIN, '98', '98', '98', '98', '72000.00'],
      [5 * MIN, '99', '99', '99', '99', '900000.00'],
    ]);
    expect(await read('5m')).toEqual([
      [0, '100', '105', '95', '98', '216000.00'],
      [5 * MIN, '99', '99', '99', '99', '900000.00'],
    ]);
    for (const i of ['15m', '1h', '4h', '1d'] as const) expect(await read(i)).toEqual([[0, '100', '105', '95', '99', '1116000.00']]);
  });

  it('a restarted (or newly elected) writer merges into the stored minute: first open, widest range, newest close', async () => {
    const rec = new CandleRecorder({ database: db, log: silent });
    rec.record(asset, T + 70_000, '110', V); // no previous tick on this machine: no volume
    await rec.flush(T + 80_000);
    const m1 = await readCandles(db.db, asset, '1m', T + MIN, T + MIN, 10);
    expect(ohlcv(m1[0]!)).toEqual(['98', '110', '98', '110', '72000.00']);
    const h1 = await readCandles(db.db, asset, '1h', T, T, 10);
    expect(ohlcv(h1[0]!)).toEqual(['100', '110', '95', '99', '1116000.00']);
  });

  it('a failed write is returned to the caller only (no unhandled rejection), keeps the candles, and the next flush writes them', async () => {
    const asset2 = testAsset();
    // The real database, with its first transaction failing as a dropped connection would.
    let failures = 1;
    const flaky = new Proxy(db.db, {
      get(target, key, receiver) {
        if (key === 'transaction' && failures > 0) {
          failures--;
          return () => Promise.reject(new Error('connection terminated'));
        }
        const v = Reflect.get(target, key, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const rec = new CandleRecorder({ database: { ...db, db: flaky } as Database, log: silent });
      rec.record(asset2, T, '7', V);
      await expect(rec.flush(T + 10_000)).rejects.toThrow('connection terminated');
      expect(rec.pending).toBe(1);
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
      await rec.flush(T + 20_000);
      expect(rec.pending).toBe(0);
      expect((await readCandles(db.db, asset2, '1m', T, T, 10)).map((c) => c.close)).toEqual(['7']);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('retention drops 1m candles after 7 days and keeps daily ones', async () => {
    const old = testAsset();
    const now = Date.now();
    const at = (ago: number) => now - ago - ((now - ago) % DAY);
    await backfillFromPoints(db.db, old, '1m', [
      { time: at(8 * DAY), priceUsd: '1' },
      { time: at(2 * DAY), priceUsd: '2' },
    ]);
    await backfillFromPoints(db.db, old, '1d', [{ time: at(400 * DAY), priceUsd: '3' }]);
    expect(await pruneCandles(db.db, now)).toBeGreaterThanOrEqual(1);
    expect((await readCandles(db.db, old, '1m', 0, now, 10)).map((c) => c.close)).toEqual(['2']);
    expect((await readCandles(db.db, old, '1d', 0, now, 10)).map((c) => c.close)).toEqual(['3']);
  });
});

describe('GET /api/crypto/:id/candles (simulated market)', () => {
  const get = (url: string) => ctx.app.inject({ method: 'GET', url });

  it('serves the candles the feed wrote, with volume', async () => {
    const rec = ctx.root.markets.service.candleRecorder;
    await vi.waitFor(() => expect(rec.pending).toBeGreaterThan(0), { timeout: 5000, interval: 50 });
    await rec.flush();
    const res = await get('/api/crypto/BTC/candles?interval=1m&limit=5');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ assetId: 'bitcoin', symbol: 'BTC', interval: '1m', source: 'simulated' });
    expect(body.items.length).toBeGreaterThanOrEqual(1);
    const c = body.items.at(-1);
    expect(Number(c.low)).toBeLessThanOrEqual(Number(c.high));
    expect(Date.now() - c.time).toBeLessThan(2 * MIN);
  });

  it('answers bad input with a 4xx a person can read', async () => {
    const bad = async (url: string, status: number, message: RegExp) => {
      const res = await get(url);
      expect(res.statusCode, url).toBe(status);
      expect(JSON.stringify(res.json()), url).toMatch(message);
    };
    await bad('/api/crypto/BTC/candles?interval=2m', 400, /"message":"Interval \(in the query string\) must be one of 1m, 5m, 15m, 1h, 4h or 1d"/);
    await bad('/api/crypto/BTC/candles?limit=0', 400, /"message":"Limit \(in the query string\) must be at least 1"/);
    await bad('/api/crypto/BTC/candles?limit=5000', 400, /"message":"Limit \(in the query string\) must be at most 1000"/);
    await bad('/api/crypto/BTC/candles?from=yesterday', 400, /From \(in the query string\) must be a number/);
    await bad('/api/crypto/BTC/candles?from=2000&to=1000', 400, /from must not be after to/);
    await bad('/api/crypto/NOPE/candles', 404, /Asset not found/);
  });

  it('backfills 15m candles with volume from the simulated history, rolled up, without touching live candles', async () => {
    const service = ctx.root.markets.service;
    // Sixty days ago, so that live candles other tests write never count as "already there".
    const now = Math.floor(Date.now() / DAY) * DAY - 60 * DAY;
    await service.backfillCandles(now, ['cardano'], 1);
    const m15 = await readCandles(db.db, 'cardano', '15m', now - DAY, now, 200);
    expect(m15.length).toBeGreaterThanOrEqual(96);
    expect(m15.every((c) => Number(c.volume) > 0 && Number(c.low) <= Number(c.high))).toBe(true);
    const h1 = await readCandles(db.db, 'cardano', '1h', now - DAY, now - 1, 100);
    expect(h1).toHaveLength(24);
    const last = h1.at(-1)!;
    expect(last.close).toBe(m15.filter((c) => c.time < now).at(-1)!.close);
    expect((await readCandles(db.db, 'cardano', '1d', now - 300 * DAY, now, 400)).length).toBeGreaterThanOrEqual(300);
  });
});
