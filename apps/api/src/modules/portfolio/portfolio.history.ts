import { findAsset, QUOTE_ASSET } from '../../platform/assets.ts';
import type { Platform } from '../../platform/index.ts';
import { D, type Dec, ZERO } from '../ledger/index.ts';
import { holdingsTimeline } from './portfolio.repo.ts';

export type Range = '1d' | '7d' | '30d' | '1y';
const RANGES: Record<Range, { ms: number; interval: 'm15' | 'h1' | 'h6' | 'd1'; stepMs: number }> = {
  '1d': { ms: 86_400_000, interval: 'm15', stepMs: 900_000 },
  '7d': { ms: 7 * 86_400_000, interval: 'h1', stepMs: 3_600_000 },
  '30d': { ms: 30 * 86_400_000, interval: 'h6', stepMs: 21_600_000 },
  '1y': { ms: 365 * 86_400_000, interval: 'd1', stepMs: 86_400_000 },
};

/** Price history of one asset: `[time ms, price]` ascending. Supplied by the route (the markets module's API). */
export type PriceHistory = (assetId: string, interval: string, start: number, end: number) => Promise<[number, Dec][]>;

/**
 * Portfolio value over time, computed from the ledger and price history (no snapshots to keep): holdings at each
 * point are the user's opening balances plus every posting up to that time, valued at the asset's price at or
 * before it. The last point is now, at current prices.
 */
export async function portfolioHistory(
  platform: Pick<Platform, 'database' | 'prices'>,
  history: PriceHistory,
  userId: string,
  range: Range,
): Promise<{ time: string; valueUsd: string }[]> {
  const spec = RANGES[range];
  const end = Date.now();
  const start = end - spec.ms;
  const { opening, changes } = await holdingsTimeline(platform.database.db, userId, new Date(start));
  const assets = new Set([...opening, ...changes].map((p) => p.asset));
  const priceSeries = new Map<string, [number, Dec][]>();
  await Promise.all(
    [...assets]
      .filter((a) => a !== QUOTE_ASSET)
      .map(async (a) => {
        const info = findAsset(a);
        if (info) priceSeries.set(a, await history(info.id, spec.interval, start, end).catch(() => []));
      }),
  );
  const held = new Map<string, Dec>();
  for (const p of opening) held.set(p.asset, new D(p.amount));
  const cursor = new Map<string, number>();
  const priceAt = (asset: string, t: number): Dec | null => {
    if (asset === QUOTE_ASSET) return new D(1);
    const s = priceSeries.get(asset);
    if (!s || s.length === 0) return null;
    let i = cursor.get(asset) ?? 0;
    while (i + 1 < s.length && s[i + 1]![0] <= t) i++;
    cursor.set(asset, i);
    return s[i]![1];
  };
  const items: { time: string; valueUsd: string }[] = [];
  let c = 0;
  for (let t = start + spec.stepMs; t <= end + spec.stepMs; t += spec.stepMs) {
    const at = Math.min(t, end);
    while (c < changes.length && changes[c]!.t <= at) {
      const ch = changes[c++]!;
      held.set(ch.asset, (held.get(ch.asset) ?? ZERO).plus(ch.amount));
    }
    let value = ZERO;
    for (const [asset, amount] of held) {
      const price =
        at === end
          ? asset === QUOTE_ASSET
            ? new D(1)
            : platform.prices.get(asset)
              ? new D(platform.prices.get(asset)!.priceUsd)
              : priceAt(asset, at)
          : priceAt(asset, at);
      if (price && amount.gt(0)) value = value.plus(amount.times(price));
    }
    items.push({ time: new Date(at).toISOString(), valueUsd: value.toDecimalPlaces(2, D.ROUND_HALF_UP).toFixed(2) });
    if (at === end) break;
  }
  return items;
}
