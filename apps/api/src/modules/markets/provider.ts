import type { Asset, HistoryInterval, HistoryPoint, PriceSource } from '@cryptovault/contract';

/** An asset as it travels between machines: everything but the timestamp, which the tick carries. */
export type WireAsset = Omit<Asset, 'updatedAt'>;

export interface MarketSnapshot {
  /** When the provider produced these prices (ms). */
  ts: number;
  assets: WireAsset[];
}

/** Where prices come from: CoinCap or the simulated market. */
export interface MarketProvider {
  readonly source: PriceSource;
  /** Current prices of the listed assets. Throws ProviderError when the provider fails. */
  snapshot(now: number): Promise<MarketSnapshot>;
  history(assetId: string, interval: HistoryInterval, startMs: number, endMs: number): Promise<HistoryPoint[]>;
  /** Changes when previously returned history may differ (simulated price overrides); part of cache keys. */
  historyVersion(): string;
}

export type ProviderErrorKind = 'unauthorized' | 'rate_limited' | 'server' | 'timeout' | 'malformed' | 'network' | 'not_found';

export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    /** From Retry-After, for rate_limited. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export const INTERVAL_MS: Readonly<Record<HistoryInterval, number>> = {
  m1: 60_000,
  m5: 300_000,
  m15: 900_000,
  m30: 1_800_000,
  h1: 3_600_000,
  h2: 7_200_000,
  h6: 21_600_000,
  h12: 43_200_000,
  d1: 86_400_000,
};
