import type { HistoryInterval, HistoryPoint } from '@cryptovault/contract';
import { Decimal } from 'decimal.js';
import { ASSETS, type AssetInfo } from '../../platform/assets.ts';
import { hashUniform, LogPath, seedOf } from './gbm.ts';
import { INTERVAL_MS, type MarketProvider, type MarketSnapshot, type WireAsset } from './provider.ts';
import { SIM_PARAMS, type SimParams } from './sim-params.ts';

/** A price set through POST /api/dev/market/:assetId: held until `holdUntil`, then the walk continues from it. */
export interface PriceOverride {
  assetId: string;
  priceUsd: string;
  setAt: number;
  holdUntil: number;
}

const MAX_OVERRIDES_PER_ASSET = 50;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

interface SimAsset {
  info: AssetInfo;
  params: SimParams;
  path: LogPath;
  index: number;
  decimals: number;
}

/**
 * The simulated market: every listed asset follows a deterministic log-price path (see gbm.ts), so the price at a
 * given time is the same on every machine and after every restart, and history is the same path sampled earlier.
 * Overrides shift an asset's path from the moment they are set.
 */
export class SimulatedMarket implements MarketProvider {
  readonly source = 'simulated' as const;
  private readonly assets = new Map<string, SimAsset>();
  private readonly overrides = new Map<string, PriceOverride[]>();
  private readonly seed: number;
  private version = 0;

  constructor(seed = 'cryptovault') {
    this.seed = seedOf(seed);
    ASSETS.forEach((info, index) => {
      const params = SIM_PARAMS[info.id];
      if (!params) throw new Error(`no simulation parameters for ${info.id}`);
      // Prices carry a few more places than the trading precision, as CoinCap's do.
      const decimals = Math.max(info.pricePrecision + 4, 6);
      this.assets.set(info.id, { info, params, path: new LogPath(this.seed, index, params.volatility), index, decimals });
    });
  }

  has(assetId: string): boolean {
    return this.assets.has(assetId);
  }

  private asset(assetId: string): SimAsset {
    const a = this.assets.get(assetId);
    if (!a) throw new Error(`unknown asset ${assetId}`);
    return a;
  }

  private overrideAt(assetId: string, t: number): PriceOverride | undefined {
    const list = this.overrides.get(assetId);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.setAt <= t) return list[i];
    return undefined;
  }

  /** The price of `assetId` at time `t` (ms) as a decimal string. */
  priceAt(assetId: string, t: number): string {
    const a = this.asset(assetId);
    const o = this.overrideAt(assetId, t);
    if (!o) return new Decimal(a.params.startPrice).mul(Math.exp(a.path.at(t / 1000))).toFixed(a.decimals);
    if (t < o.holdUntil) return o.priceUsd;
    const moved = Math.exp(a.path.at(t / 1000) - a.path.at(o.holdUntil / 1000));
    return new Decimal(o.priceUsd).mul(moved).toFixed(a.decimals);
  }

  /** Records an override (from this machine or another); idempotent for the same one. */
  setOverride(o: PriceOverride): void {
    this.asset(o.assetId);
    const list = this.overrides.get(o.assetId) ?? [];
    if (list.some((x) => x.setAt === o.setAt && x.priceUsd === o.priceUsd)) return;
    list.push(o);
    list.sort((x, y) => x.setAt - y.setAt);
    if (list.length > MAX_OVERRIDES_PER_ASSET) list.splice(0, list.length - MAX_OVERRIDES_PER_ASSET);
    this.overrides.set(o.assetId, list);
    this.version++;
  }

  allOverrides(): PriceOverride[] {
    return [...this.overrides.values()].flat();
  }

  historyVersion(): string {
    return `sim${this.version}`;
  }

  /** One asset's full market data at `t`. */
  assetAt(assetId: string, t: number): WireAsset {
    const a = this.asset(assetId);
    const priceUsd = this.priceAt(assetId, t);
    const price = new Decimal(priceUsd);
    const dayAgo = new Decimal(this.priceAt(assetId, t - DAY_MS));
    let sum = new Decimal(0);
    for (let h = 0; h < 24; h++) sum = sum.add(this.priceAt(assetId, t - h * HOUR_MS));
    const marketCap = price.mul(a.params.supply);
    // Volume wanders by ±20 % from hour to hour around the asset's usual turnover.
    const hour = Math.floor(t / HOUR_MS);
    const wobble = 0.8 + 0.4 * hashUniform(this.seed, a.index, hour, 7);
    return {
      id: a.info.id,
      symbol: a.info.symbol,
      name: a.info.name,
      rank: 0,
      priceUsd,
      changePercent24Hr: price.sub(dayAgo).div(dayAgo).mul(100).toFixed(8),
      marketCapUsd: marketCap.toFixed(2),
      volumeUsd24Hr: marketCap.mul(a.params.turnover * wobble).toFixed(2),
      supply: a.params.supply,
      maxSupply: a.params.maxSupply,
      vwap24Hr: sum.div(24).toFixed(a.decimals),
    };
  }

  /**
   * How busy the market is in the second of `t` relative to the average (candles.ts weights each tick's volume by
   * it): deterministic, skewed so that a few seconds trade much more than most, mean about 1.
   */
  volumeJitter(assetId: string, t: number): number {
    const u = hashUniform(this.seed, this.asset(assetId).index, Math.floor(t / 1000), 11);
    return 0.35 + 2 * u * u;
  }

  /** A plausible USD volume for the minute of `t` (candle backfill): the day's turnover / 1440, jittered per minute. */
  minuteVolumeUsd(assetId: string, t: number): Decimal {
    const a = this.asset(assetId);
    const wobble = 0.8 + 0.4 * hashUniform(this.seed, a.index, Math.floor(t / HOUR_MS), 7);
    const u = hashUniform(this.seed, a.index, Math.floor(t / 60_000), 13);
    return new Decimal(this.priceAt(assetId, t))
      .mul(a.params.supply)
      .mul((a.params.turnover * wobble * (0.35 + 2 * u * u)).toFixed(8))
      .div(1440);
  }

  async snapshot(now: number): Promise<MarketSnapshot> {
    const assets = [...this.assets.keys()].map((id) => this.assetAt(id, now));
    rankByMarketCap(assets);
    return { ts: now, assets };
  }

  async history(assetId: string, interval: HistoryInterval, startMs: number, endMs: number): Promise<HistoryPoint[]> {
    const step = INTERVAL_MS[interval];
    const items: HistoryPoint[] = [];
    for (let t = Math.ceil(startMs / step) * step; t <= endMs; t += step) {
      items.push({ time: t, priceUsd: this.priceAt(assetId, t), date: new Date(t).toISOString() });
    }
    return items;
  }
}

export function rankByMarketCap(assets: WireAsset[]): void {
  const sorted = [...assets].sort((x, y) => new Decimal(y.marketCapUsd ?? 0).cmp(x.marketCapUsd ?? 0));
  sorted.forEach((a, i) => {
    a.rank = i + 1;
  });
}
