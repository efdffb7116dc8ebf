import type { EventBus } from '../src/platform/events.ts';
import type { PriceQuote, PriceReader } from '../src/platform/prices.ts';
import { findAsset } from '../src/platform/assets.ts';

/**
 * A price feed under the test's control, given to the composition root in place of the feed's store
 * (`createTestApp(env, { prices })`, which connects it to the app's events). `tick()` sets prices and emits
 * `price.tick` the way the market-data module does; `stale = true` makes the feed report staleness.
 */
export class TestPrices implements PriceReader {
  private readonly quotes = new Map<string, PriceQuote>();
  private events: EventBus | null = null;
  private changes = 0;
  stale = false;

  /** Grows with every tick, as the feed's store does (what derives from prices is kept per version). */
  get version(): number {
    return this.changes;
  }

  /** The app's event bus, where ticks go. */
  connect(events: EventBus): this {
    this.events = events;
    return this;
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
    this.changes++;
    if (!this.events) throw new Error('TestPrices: not connected to an app (createTestApp(env, { prices }))');
    this.events.emit('price.tick', { ts, prices });
  }
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
