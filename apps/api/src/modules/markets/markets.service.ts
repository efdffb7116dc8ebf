import { type Asset, type AssetListResponse, assetListResponse, type HistoryInterval, type HistoryQuery, type HistoryResponse } from '@cryptovault/contract';
import { PrebuiltBody } from '../../http/prebuilt.ts';
import { findAsset } from '../../platform/assets.ts';
import { AppError, notFound, validation } from '../../platform/errors.ts';
import { HistoryChunks, MAX_HISTORY_POINTS } from './history.ts';
import type { Platform } from '../../platform/index.ts';
import type { PriceFeed } from './feed.ts';
import { INTERVAL_MS, type MarketProvider } from './provider.ts';

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

  constructor(
    platform: Platform,
    private readonly feed: PriceFeed,
    private readonly provider: MarketProvider,
    namespace: string,
  ) {
    this.chunks = new HistoryChunks(platform, provider, namespace, platform.config.prices.historyCallsPerMinute);
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
