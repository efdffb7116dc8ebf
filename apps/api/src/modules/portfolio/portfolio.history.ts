import { findAsset, QUOTE_ASSET } from '../../platform/assets.ts';
import type { Cache } from '../../platform/cache.ts';
import type { Platform } from '../../platform/index.ts';
import { MONEY, VersionedCache } from '../../platform/versioned-cache.ts';
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

/** What a history is made of, up to the last grid point before now: the points, and the holdings at the end. */
interface PastPoints {
  items: { time: string; valueUsd: string }[];
  held: ReadonlyMap<string, Dec>;
}

/**
 * Past points of each user's history per range, kept per machine under the user's `money` version (any posting
 * makes them stale) and the current grid step (a new point appears when a step ends): a chart refresh computes
 * only its last point, now, at current prices (docs/decisions/0004-per-user-read-caches.md).
 */
export function createHistoryCache(cache: Cache): VersionedCache<PastPoints> {
  return new VersionedCache<PastPoints>(cache, MONEY, { maxEntries: 20_000, ttlMs: 15 * 60_000 });
}

/**
 * Portfolio value over time, computed from the ledger and price history: holdings at each point are the user's
 * opening balances plus every posting up to that time, valued at the asset's price at or before it. Points sit on
 * the range's grid (every 15 minutes for a day, every hour for a week…); the last point is now, at current prices.
 */
export async function portfolioHistory(
  platform: Pick<Platform, 'database' | 'prices'>,
  history: PriceHistory,
  userId: string,
  range: Range,
  kept?: VersionedCache<PastPoints>,
): Promise<{ time: string; valueUsd: string }[]> {
  const spec = RANGES[range];
  const end = Date.now();
  const step = Math.floor(end / spec.stepMs);
  const load = () => pastPoints(platform, history, userId, spec, step);
  const past = kept ? await kept.read(userId, `${userId}:${range}:${step}`, load) : await load();
  let value = ZERO;
  for (const [asset, amount] of past.held) {
    const q = asset === QUOTE_ASSET ? null : platform.prices.get(asset);
    const price = asset === QUOTE_ASSET ? new D(1) : q ? new D(q.priceUsd) : null;
    if (price && amount.gt(0)) value = value.plus(amount.times(price));
  }
  return [...past.items, { time: new Date(end).toISOString(), valueUsd: value.toDecimalPlaces(2, D.ROUND_HALF_UP).toFixed(2) }];
}

/** The points on the grid from a range before the `step`'s start up to it (the last one at most now), and the holdings now. */
async function pastPoints(
  platform: Pick<Platform, 'database'>,
  history: PriceHistory,
  userId: string,
  spec: (typeof RANGES)[Range],
  step: number,
): Promise<PastPoints> {
  const last = step * spec.stepMs; // the latest grid point, at or before now
  const start = last - spec.ms + spec.stepMs;
  const { opening, changes } = await holdingsTimeline(platform.database.db, userId, new Date(start - spec.stepMs));
  const assets = new Set([...opening, ...changes].map((p) => p.asset));
  const priceSeries = new Map<string, [number, Dec][]>();
  await Promise.all(
    [...assets]
      .filter((a) => a !== QUOTE_ASSET)
      .map(async (a) => {
        const info = findAsset(a);
        if (info) priceSeries.set(a, await history(info.id, spec.interval, start - spec.stepMs, last + spec.stepMs).catch(() => []));
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
  for (let at = start; at <= last; at += spec.stepMs) {
    while (c < changes.length && changes[c]!.t <= at) {
      const ch = changes[c++]!;
      held.set(ch.asset, (held.get(ch.asset) ?? ZERO).plus(ch.amount));
    }
    let value = ZERO;
    for (const [asset, amount] of held) {
      const price = priceAt(asset, at);
      if (price && amount.gt(0)) value = value.plus(amount.times(price));
    }
    items.push({ time: new Date(at).toISOString(), valueUsd: value.toDecimalPlaces(2, D.ROUND_HALF_UP).toFixed(2) });
  }
  // Holdings now: every change so far (a posting after this was computed changes the money version).
  for (; c < changes.length; c++) held.set(changes[c]!.asset, (held.get(changes[c]!.asset) ?? ZERO).plus(changes[c]!.amount));
  return { items, held };
}
