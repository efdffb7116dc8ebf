import { type Asset, type AssetListResponse, assetListResponse, type HistoryInterval, type HistoryQuery, type HistoryResponse } from '@cryptovault/contract';
import { PrebuiltBody } from '../../http/prebuilt.ts';
import { findAsset } from '../../platform/assets.ts';
import { AppError, notFound, validation } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import type { PriceFeed } from './feed.ts';
import { INTERVAL_MS, type MarketProvider, ProviderError } from './provider.ts';

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
/** History is cached (and CoinCap credits spent) at most once per this long per asset, interval and window. */
export const HISTORY_TTL_S: Readonly<Record<HistoryInterval, number>> = {
  m1: 30,
  m5: 60,
  m15: 120,
  m30: 120,
  h1: 300,
  h2: 300,
  h6: 900,
  h12: 900,
  d1: 1800,
};
export const MAX_HISTORY_POINTS = 2000;

export class MarketsService {
  /** `/api/crypto`, serialised for the price version and staleness it was made from. */
  private listed: { version: number; stale: boolean; body: PrebuiltBody } | null = null;

  constructor(
    private readonly platform: Platform,
    private readonly feed: PriceFeed,
    private readonly provider: MarketProvider,
    private readonly namespace: string,
  ) {}

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
    // Default windows end on an interval boundary, so repeated requests share one cache entry.
    const end = q.end ?? Math.floor(now / step) * step;
    const start = q.start ?? end - DEFAULT_SPAN_MS[q.interval];
    if (start > end) throw validation('start must not be after end', { start, end });
    if ((end - start) / step > MAX_HISTORY_POINTS) {
      throw validation(`At most ${MAX_HISTORY_POINTS} points per request: narrow start/end or use a longer interval`, {
        points: Math.floor((end - start) / step),
      });
    }
    const key = `markets:${this.namespace}:history:${this.provider.historyVersion()}:${info.id}:${q.interval}:${start}:${end}`;
    const cached = await this.platform.cache.get(key);
    if (cached) return JSON.parse(cached) as HistoryResponse;
    let items: HistoryResponse['items'];
    try {
      items = await this.provider.history(info.id, q.interval, start, end);
    } catch (err) {
      if (err instanceof ProviderError) {
        this.platform.log.warn({ kind: err.kind, err: err.message, assetId: info.id }, 'price history request failed');
        throw new AppError('UNAVAILABLE', 'Price history is unavailable right now; try again shortly', undefined, 30);
      }
      throw err;
    }
    const body: HistoryResponse = { items, interval: q.interval, source: this.provider.source };
    await this.platform.cache.set(key, JSON.stringify(body), HISTORY_TTL_S[q.interval] * 1000);
    return body;
  }

  async setSimulatedPrice(assetIdOrSymbol: string, priceUsd: string, holdMs: number) {
    const info = findAsset(assetIdOrSymbol);
    if (!info) throw notFound('Asset');
    if (this.feed.source !== 'simulated') throw new AppError('CONFLICT', 'Prices can only be set on the simulated market (USE_MOCK_PRICES)');
    return this.feed.setSimulatedPrice(info.id, priceUsd, holdMs);
  }
}
