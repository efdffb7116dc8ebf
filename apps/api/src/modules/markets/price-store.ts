import type { Asset, PriceSource } from '@cryptovault/contract';
import { findAsset } from '../../platform/assets.ts';
import type { PriceQuote, PriceReader, PriceTick } from '../../platform/prices.ts';
import type { WireAsset } from './provider.ts';

/** A tick as it travels over pub/sub between machines. */
export interface FeedTick {
  /** Which feed instance produced it (a machine skips its own, already applied). */
  origin: string;
  source: PriceSource;
  ts: number;
  assets: WireAsset[];
}

interface Stored {
  asset: WireAsset;
  updatedAt: number;
}

/**
 * The prices this machine knows: the last good value of every asset with the time it was produced. Ticks apply
 * per asset and only forwards in time, so a late or replayed message never overwrites a newer price.
 */
export class PriceStore implements PriceReader {
  private readonly assets = new Map<string, Stored>();
  private newest: number | null = null;
  private changes = 0;

  constructor(
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Applies a tick; returns the `price.tick` payload of what changed, or null when nothing did. */
  apply(tick: Pick<FeedTick, 'ts' | 'assets'>): PriceTick | null {
    const prices: Record<string, string> = {};
    let changed = false;
    for (const a of tick.assets) {
      const cur = this.assets.get(a.id);
      if (cur && cur.updatedAt > tick.ts) continue;
      this.assets.set(a.id, { asset: a, updatedAt: tick.ts });
      prices[a.id] = a.priceUsd;
      changed = true;
    }
    if (!changed) return null;
    this.changes++;
    if (this.newest === null || tick.ts > this.newest) this.newest = tick.ts;
    return { ts: tick.ts, prices };
  }

  get(assetIdOrSymbol: string): PriceQuote | null {
    const id = findAsset(assetIdOrSymbol)?.id ?? assetIdOrSymbol;
    const s = this.assets.get(id);
    return s ? { assetId: id, symbol: s.asset.symbol, priceUsd: s.asset.priceUsd, updatedAt: s.updatedAt } : null;
  }

  all(): PriceQuote[] {
    return [...this.assets.entries()].map(([id, s]) => ({ assetId: id, symbol: s.asset.symbol, priceUsd: s.asset.priceUsd, updatedAt: s.updatedAt }));
  }

  /** Full market data of one asset, with its own timestamp. */
  asset(assetIdOrSymbol: string): Asset | null {
    const id = findAsset(assetIdOrSymbol)?.id ?? assetIdOrSymbol;
    const s = this.assets.get(id);
    return s ? { ...s.asset, updatedAt: new Date(s.updatedAt).toISOString() } : null;
  }

  list(): Asset[] {
    return [...this.assets.values()]
      .map((s) => ({ ...s.asset, updatedAt: new Date(s.updatedAt).toISOString() }))
      .sort((x, y) => x.rank - y.rank || x.id.localeCompare(y.id));
  }

  /** Everything, as one tick (for the cache snapshot a new machine starts from). */
  snapshot(): { ts: number; assets: WireAsset[] }[] {
    return [...this.assets.values()].map((s) => ({ ts: s.updatedAt, assets: [s.asset] }));
  }

  /** Grows on every change: what was derived from the prices at one version holds until the next. */
  get version(): number {
    return this.changes;
  }

  newestTick(): number | null {
    return this.newest;
  }

  ageMs(): number | null {
    return this.newest === null ? null : Math.max(0, this.now() - this.newest);
  }

  isStale(): boolean {
    const age = this.ageMs();
    return age === null || age > this.maxAgeMs;
  }
}
