import type { Platform } from '../src/platform/index.ts';
import type { PriceQuote, PriceReader } from '../src/platform/prices.ts';
import { findAsset } from '../src/platform/assets.ts';

/**
 * A price feed under the test's control, installed as `platform.prices`. `tick()` sets prices and emits
 * `price.tick` the way the market-data module does; `stale = true` makes the feed report staleness.
 */
export class TestPrices implements PriceReader {
  private readonly quotes = new Map<string, PriceQuote>();
  stale = false;

  constructor(private readonly platform: Platform) {
    platform.prices = this;
  }

  get(idOrSymbol: string): PriceQuote | null {
    const a = findAsset(idOrSymbol);
    return a ? (this.quotes.get(a.id) ?? null) : null;
  }
  all(): PriceQuote[] {
    return [...this.quotes.values()];
  }
  ageMs(): number | null {
    const newest = Math.max(0, ...[...this.quotes.values()].map((q) => q.updatedAt));
    return newest ? Date.now() - newest : null;
  }
  isStale(): boolean {
    return this.stale || this.quotes.size === 0;
  }

  /** Sets prices (assetId → decimal string) and emits a tick. */
  tick(prices: Record<string, string>): void {
    const ts = Date.now();
    for (const [assetId, priceUsd] of Object.entries(prices)) {
      const a = findAsset(assetId);
      if (!a) throw new Error(`unknown asset ${assetId}`);
      this.quotes.set(a.id, { assetId: a.id, symbol: a.symbol, priceUsd, updatedAt: ts });
    }
    this.platform.events.emit('price.tick', { ts, prices });
  }
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
