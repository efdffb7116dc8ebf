import {
  type Asset,
  type AssetListResponse,
  assetListResponse,
  type CandlesQuery,
  type CandlesResponse,
  type HistoryInterval,
  type HistoryQuery,
  type HistoryResponse,
} from '@cryptovault/contract';
import { backfillFromPoints, CANDLE_MS, CandleRecorder, FLUSH_MS, longestGap, readCandles, rollUp } from './candles.ts';
import { PrebuiltBody } from '../../http/prebuilt.ts';
import { findAsset } from '../../platform/assets.ts';
import { AppError, notFound, validation } from '../../platform/errors.ts';
import { HistoryChunks, MAX_HISTORY_POINTS } from './history.ts';
import type { Platform } from '../../platform/index.ts';
import type { PriceFeed } from './feed.ts';
import { INTERVAL_MS, type MarketProvider } from './provider.ts';
import { SimulatedMarket } from './simulated.ts';

/** How far back a starting writer fills 1d candles from the provider's price history (see candles.ts). */
const BACKFILL_DAILY_DAYS = 365;
/**
 * The backfill fetches an interval's history when its candles in the window have a hole longer than this many
 * candles: a few missing points of the provider's own history do not cost a call at every start.
 */
const BACKFILL_MAX_GAP_CANDLES = 4;

const DAY = 86_400_000;
/** The span a chart gets when it does not ask for one (a few hundred points at most). */
const DEFAULT_SPAN_MS: Readonly<Record<HistoryInterval, number>> = {
  m1: 2 * 3_600_000,
  m5: DAY,
  m15: 3 * DAY,
  m30: 7 * DAY,
  h1: 7 * DAY,
  h2: 30 * DAY,
  h6: 90 * DAY,
  h12: 180 * DAY,
  d1: 365 * DAY,
};
export class MarketsService {
  /** `/api/crypto`, serialised for the price version and staleness it was made from. */
  private listed: { version: number; stale: boolean; body: PrebuiltBody } | null = null;
  private readonly chunks: HistoryChunks;
  readonly candleRecorder: CandleRecorder;
  private stopCandles: (() => Promise<void>) | null = null;
  private backfill: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly platform: Platform,
    private readonly feed: PriceFeed,
    private readonly provider: MarketProvider,
    namespace: string,
  ) {
    this.chunks = new HistoryChunks(platform, provider, namespace, platform.config.prices.historyCallsPerMinute);
    const sim = provider instanceof SimulatedMarket ? provider : null;
    this.candleRecorder = new CandleRecorder(platform, sim ? (id, t) => (sim.has(id) ? sim.volumeJitter(id, t) : 1) : null);
  }

  /**
   * Records candles from every tick while this machine polls prices (the feed's leader), flushing every FLUSH_MS;
   * the first tick it leads starts the backfill. Stopping flushes what is left.
   */
  startCandles(): void {
    if (this.stopCandles) return;
    this.stopping = false;
    const { events, log } = this.platform;
    const off = events.on('price.tick', (tick) => {
      if (!this.feed.isLeader) return;
      for (const [assetId, price] of Object.entries(tick.prices)) {
        this.candleRecorder.record(assetId, tick.ts, price, this.feed.store.asset(assetId)?.volumeUsd24Hr ?? null);
      }
      if (!this.backfill && this.platform.config.prices.candleBackfillDays > 0) {
        this.backfill = this.backfillCandles(tick.ts).then(
          () => undefined,
          (err) => {
            // Most likely the history budget: the assets done are skipped on the retry a minute later.
            log.warn({ err }, 'candle backfill stopped; retrying in a minute');
            setTimeout(() => {
              this.backfill = null;
            }, 60_000).unref();
          },
        );
      }
    });
    const flush = () => this.candleRecorder.flush().catch((err) => log.warn({ err }, 'could not write candles'));
    const timer = setInterval(() => void flush(), FLUSH_MS);
    timer.unref();
    this.stopCandles = async () => {
      off();
      clearInterval(timer);
      // A backfill in progress stops after the asset it is on (shutdown does not wait for all of them).
      this.stopping = true;
      await this.backfill;
      if (this.feed.isLeader || this.candleRecorder.pending > 0) await flush();
    };
  }

  async stopCandlesRecording(): Promise<void> {
    const stop = this.stopCandles;
    this.stopCandles = null;
    await stop?.();
  }

  /**
   * Fills the holes in an asset's candles from the provider's price history: 15m candles for the last
   * CANDLE_BACKFILL_DAYS (rolled up to 1h/4h/1d) and 1d candles for the last BACKFILL_DAILY_DAYS; one asset at a time,
   * within the history call budget.
   *
   * Whether an asset needs history is decided on the candles the window needs, not on "any candle there": the live
   * recorder writes (and rolls up) a candle of every asset within FLUSH_MS of start-up, so "has a 1h candle in the
   * window" would skip every asset the loop reaches later than that, every asset after a failed history call on the
   * retry, and any gap left by downtime. An asset is done when its candles reach back to the start of the window
   * with no gap longer than BACKFILL_MAX_GAP_CANDLES up to now; a restart finds it done and calls nothing (an asset
   * whose provider history is younger than the window, or has holes of its own, asks again at each start).
   *
   * Live candles win where they overlap: history is inserted only where no candle exists (backfillFromPoints), and
   * the rollup recomputes 1h/4h/1d from the 15m candles below them, as the recorder's next flush would.
   */
  async backfillCandles(
    now: number,
    assetIds: string[] = this.feed.store.all().map((q) => q.assetId),
    days = this.platform.config.prices.candleBackfillDays,
  ): Promise<number> {
    const db = this.platform.database.db;
    // From midnight UTC: the first day rolled up from 15m candles is then a whole day.
    const since = Math.floor((now - days * DAY) / DAY) * DAY;
    const yearAgo = now - BACKFILL_DAILY_DAYS * DAY;
    const hasGap = async (assetId: string, interval: '15m' | '1d', from: number) =>
      (await longestGap(db, assetId, interval, from, now)) > BACKFILL_MAX_GAP_CANDLES * CANDLE_MS[interval];
    let written = 0;
    for (const assetId of assetIds) {
      if (this.stopping) break;
      if (await hasGap(assetId, '1d', yearAgo)) {
        const daily = await this.chunks.range(assetId, 'd1', yearAgo, now, now);
        written += await backfillFromPoints(db, assetId, '1d', daily);
      }
      if (await hasGap(assetId, '15m', since)) {
        const points = await this.chunks.range(assetId, 'm15', since, now, now);
        const sim = this.provider instanceof SimulatedMarket ? this.provider : null;
        // The simulated market knows its volume; CoinCap's history has none (candles.ts).
        const withVolume = sim ? points.map((p) => ({ ...p, volumeUsd: sim.minuteVolumeUsd(assetId, p.time).mul(15).toFixed(2) })) : points;
        written += await backfillFromPoints(db, assetId, '15m', withVolume);
        if (points.length > 0) await rollUp(db, [assetId], [points[0]!.time, points.at(-1)!.time], '15m');
      }
    }
    return written;
  }

  async candles(idOrSymbol: string, q: CandlesQuery, now = Date.now()): Promise<CandlesResponse> {
    const info = findAsset(idOrSymbol);
    if (!info) throw notFound('Asset');
    const to = Math.min(q.to ?? now, now);
    const from = q.from ?? to - q.limit * CANDLE_MS[q.interval];
    if (from > to) throw validation('from must not be after to', { from, to });
    const items = await readCandles(this.platform.database.db, info.id, q.interval, from, to, q.limit);
    return { assetId: info.id, symbol: info.symbol, interval: q.interval, source: this.provider.source, items };
  }

  list(): AssetListResponse {
    const { store } = this.feed;
    const newest = store.newestTick();
    return {
      items: store.list(),
      updatedAt: newest === null ? null : new Date(newest).toISOString(),
      source: this.feed.source,
      stale: store.isStale(),
    };
  }

  /**
   * `list()` as a prebuilt body. The list changes once a tick (and when it turns stale) but is read far more often,
   * so it is validated against the contract, serialised and compressed once per change, not per request.
   */
  listBody(): PrebuiltBody {
    const { store } = this.feed;
    const version = store.version;
    const stale = store.isStale();
    if (this.listed?.version !== version || this.listed.stale !== stale) {
      const json = JSON.stringify(assetListResponse.parse(this.list()));
      this.listed = { version, stale, body: new PrebuiltBody(Buffer.from(json), 'application/json; charset=utf-8') };
    }
    return this.listed.body;
  }

  get(idOrSymbol: string): Asset {
    const info = findAsset(idOrSymbol);
    if (!info) throw notFound('Asset');
    const asset = this.feed.store.asset(info.id);
    if (!asset) throw new AppError('UNAVAILABLE', 'No price for this asset yet; try again shortly', undefined, 5);
    return asset;
  }

  async history(idOrSymbol: string, q: HistoryQuery, now = Date.now()): Promise<HistoryResponse> {
    const info = findAsset(idOrSymbol);
    if (!info) throw notFound('Asset');
    const step = INTERVAL_MS[q.interval];
    // The future has no prices: an end past now is now. Default windows end on an interval boundary.
    const end = Math.min(q.end ?? Math.floor(now / step) * step, now);
    const start = q.start ?? end - DEFAULT_SPAN_MS[q.interval];
    if (start > end) throw validation('start must not be after end', { start, end });
    if ((end - start) / step > MAX_HISTORY_POINTS) {
      throw validation(`At most ${MAX_HISTORY_POINTS} points per request: narrow start/end or use a longer interval`, {
        points: Math.floor((end - start) / step),
      });
    }
    const items = await this.chunks.range(info.id, q.interval, start, end, now);
    return { items, interval: q.interval, source: this.provider.source };
  }

  async setSimulatedPrice(assetIdOrSymbol: string, priceUsd: string, holdMs: number) {
    const info = findAsset(assetIdOrSymbol);
    if (!info) throw notFound('Asset');
    if (this.feed.source !== 'simulated') throw new AppError('CONFLICT', 'Prices can only be set on the simulated market (USE_MOCK_PRICES)');
    return this.feed.setSimulatedPrice(info.id, priceUsd, holdMs);
  }
}
