/**
 * What the rest of the platform knows about current prices. The market-data module keeps it up to date (one poller
 * per platform, ticks fanned out over pub/sub) and emits `price.tick` (platform/events.ts) on every machine.
 */
export interface PriceQuote {
  assetId: string;
  symbol: string;
  /** Decimal string, never a float. */
  priceUsd: string;
  /** When the provider produced it (ms since epoch). */
  updatedAt: number;
}

export interface PriceReader {
  /** By asset id or symbol; null when no price is known. */
  get(assetIdOrSymbol: string): PriceQuote | null;
  all(): PriceQuote[];
  /** Age of the newest tick in ms, or null before the first. */
  ageMs(): number | null;
  /** True when no tick arrived within PRICE_MAX_AGE_MS: market orders are refused, triggers do not fire. */
  isStale(): boolean;
  /** Grows with every change of any price (a reader without it is re-read every time by what derives from it). */
  readonly version?: number;
}

export interface PriceTick {
  /** Server time of the tick (ms). */
  ts: number;
  /** assetId → priceUsd decimal string; only assets whose price is in this tick. */
  prices: Record<string, string>;
}
