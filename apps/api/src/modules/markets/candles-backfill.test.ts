import type { Candle } from '@cryptovault/contract';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, isolatedDatabase, type TestContext } from '../../../test/helpers.ts';
import { waitFor } from '../../../test/prices.ts';
import { ASSETS } from '../../platform/assets.ts';
import type { Database } from '../../platform/db/client.ts';
import { CANDLE_MS, CandleRecorder, readCandles } from './candles.ts';
import { CoinCapStandIn, STANDIN_KEY } from './coincap-standin.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const DAYS = 7;
const silent = { warn: () => undefined } as never;

/**
 * The backfill decides from the candles of the listed assets (real ids, which every app of a shared database writes),
 * so this file runs on a database of its own (isolatedDatabase).
 */
describe('candle backfill from CoinCap history (stand-in) with live candles already recorded', () => {
  // The backfill's clock: 3 h before the wall clock, so that the apps' own feed (recording at the wall clock) never
  // writes into the candles compared here. Live candles cover the 40 minutes before it, the current hour included.
  const T = Math.floor(Date.now() / MIN) * MIN - 3 * HOUR;
  const liveFrom = T - 40 * MIN;
  const since = Math.floor((T - DAYS * DAY) / DAY) * DAY;
  const FAILING = 'solana';
  const listedIds = ASSETS.map((a) => a.id);

  let standIn: CoinCapStandIn;
  let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;
  let db: Database;
  const apps: TestContext[] = [];
  let liveBefore: Record<string, Candle[]>;

  beforeAll(async () => {
    standIn = await new CoinCapStandIn().start();
    standIn.prices = Object.fromEntries(listedIds.map((id) => [id, '100.5']));
    isolated = await isolatedDatabase('cv_backfill');
    db = isolated.database;
    // What the live recorder wrote since start-up: a tick every 20 s of every asset, at prices the history never has.
    const live = new CandleRecorder({ database: db, log: silent });
    for (let t = liveFrom, i = 0; t <= T; t += 20_000, i++) {
      for (const id of listedIds) live.record(id, t, String(70_000 + ((i * 37) % 100)), '86400000');
    }
    await live.flush(T);
    liveBefore = await liveCandles();
  });
  afterAll(async () => {
    for (const ctx of apps) await ctx.close();
    await isolated?.drop();
    await standIn?.stop();
  });

  /** A (re)started app on the database, its price store filled from the stand-in: every listed asset. */
  async function startApp(): Promise<TestContext> {
    const ctx = await createTestApp(
      { COINCAP_API_KEY: STANDIN_KEY, COINCAP_BASE_URL: standIn.baseUrl, PRICE_POLL_INTERVAL_MS: '60000', PRICE_HISTORY_CALLS_PER_MINUTE: '600' },
      { database: { ...db, close: async () => undefined } },
    );
    apps.push(ctx);
    await waitFor(() => ctx.root.markets.feed.store.all().length === listedIds.length);
    return ctx;
  }

  /** History calls made to the stand-in from request number `mark` on. */
  const historyCalls = (mark: number) =>
    standIn.requests
      .slice(mark)
      .filter((r) => r.path.endsWith('/history'))
      .map((r) => `${r.path.split('/')[3]} ${r.query.get('interval')}`);

  /** Every 1m, 5m and 15m candle that contains a live minute. */
  async function liveCandles(): Promise<Record<string, Candle[]>> {
    const out: Record<string, Candle[]> = {};
    for (const id of listedIds) {
      for (const i of ['1m', '5m', '15m'] as const) {
        out[`${id} ${i}`] = await readCandles(db.db, id, i, liveFrom - CANDLE_MS[i] + 1, T, 1000);
      }
    }
    return out;
  }

  async function expectHistory(id: string): Promise<void> {
    const m15 = await readCandles(db.db, id, '15m', since, liveFrom - 15 * MIN, 1000);
    // Every quarter of the window from the stand-in's constant price (live candles are all 70,000 or more).
    expect(m15.length, id).toBe(Math.floor((liveFrom - 15 * MIN - since) / (15 * MIN)) + 1);
    expect(
      m15.every((c) => c.close === '65000.0000000000000001'),
      id,
    ).toBe(true);
    const d1 = await readCandles(db.db, id, '1d', T - 365 * DAY, T, 1000);
    expect(d1.length, id).toBeGreaterThanOrEqual(365);
    const h1 = await readCandles(db.db, id, '1h', since, T, 1000);
    expect(h1.length, id).toBeGreaterThanOrEqual((T - since) / HOUR - 1);
  }

  it('fills every listed asset though live candles of the current hour exist; a failed asset is filled on the retry; live candles are untouched', async () => {
    const ctx = await startApp();
    const service = ctx.root.markets.service;
    const order = ctx.root.markets.feed.store.all().map((q) => q.assetId);
    expect([...order].sort()).toEqual([...listedIds].sort());
    const before = order.slice(0, order.indexOf(FAILING));
    const after = order.slice(order.indexOf(FAILING) + 1);
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);

    // First run: CoinCap answers 429 to the failing asset's first history call; the run stops there.
    standIn.failHistoryOnce.set(FAILING, 'rate_limited');
    let mark = standIn.requests.length;
    await expect(service.backfillCandles(T, undefined, DAYS)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const first = historyCalls(mark);
    for (const id of before) {
      expect(first).toContain(`${id} d1`);
      expect(first).toContain(`${id} m15`);
      await expectHistory(id);
    }
    expect(first).toContain(`${FAILING} d1`);
    expect(first.filter((c) => after.some((id) => c.startsWith(`${id} `)))).toEqual([]);

    // The retry (a minute later on the same machine): the failed asset and the rest, nothing already filled.
    mark = standIn.requests.length;
    expect(await service.backfillCandles(T, undefined, DAYS)).toBeGreaterThan(0);
    const retry = historyCalls(mark);
    expect(retry).toContain(`${FAILING} d1`);
    expect(retry).toContain(`${FAILING} m15`);
    for (const id of after) expect(retry).toContain(`${id} m15`);
    expect(retry.filter((c) => before.some((id) => c.startsWith(`${id} `)))).toEqual([]);

    for (const id of listedIds) await expectHistory(id);
    expect(await liveCandles()).toEqual(liveBefore);
    // The hour that holds live candles: rolled up over live and backfilled quarters, its close is the live one.
    for (const id of listedIds) {
      const [h] = await readCandles(db.db, id, '1h', T - HOUR + 1, T, 1);
      expect(h!.close, id).toBe(liveBefore[`${id} 1m`]!.at(-1)!.close);
    }
  });

  it('a restart calls no history at all: every asset is already filled', async () => {
    const ctx = await startApp();
    const mark = standIn.requests.length;
    expect(await ctx.root.markets.service.backfillCandles(T, undefined, DAYS)).toBe(0);
    expect(historyCalls(mark)).toEqual([]);
    expect(await liveCandles()).toEqual(liveBefore);
  });

  it('a gap left by downtime is filled from the 15m history, for that asset only', async () => {
    const ctx = await startApp();
    await db.db.execute(sql`
      delete from candles where asset_id = 'bitcoin' and interval <> '1d'
        and bucket >= to_timestamp(${(T - 6 * HOUR) / 1000}) and bucket < to_timestamp(${(T - 2 * HOUR) / 1000})`);
    const mark = standIn.requests.length;
    expect(await ctx.root.markets.service.backfillCandles(T, undefined, DAYS)).toBe(16);
    expect(historyCalls(mark).every((c) => c === 'bitcoin m15')).toBe(true);
    expect(historyCalls(mark).length).toBeGreaterThan(0);
    expect(await readCandles(db.db, 'bitcoin', '1h', T - 6 * HOUR, T - 2 * HOUR - 1, 10)).toHaveLength(4);
    await expectHistory('bitcoin');
    expect(await liveCandles()).toEqual(liveBefore);
  });
});
