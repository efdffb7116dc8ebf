import type { Portfolio } from '@cryptovault/contract';
import { findAsset, QUOTE_ASSET } from '../../platform/assets.ts';
import type { Cache } from '../../platform/cache.ts';
import type { Db } from '../../platform/db/client.ts';
import type { Platform } from '../../platform/index.ts';
import { MONEY, VersionedCache } from '../../platform/versioned-cache.ts';
import type { PriceReader } from '../../platform/prices.ts';
import { D, type Dec, usdPrice, userBalances, ZERO } from '../ledger/index.ts';
import { positionsOf } from './portfolio.repo.ts';

/** The market module's reader also knows each asset's 24 h change; other readers may not. */
function change24hPercent(prices: PriceReader, asset: string): Dec | null {
  const withAssets = prices as PriceReader & { asset?: (id: string) => { changePercent24Hr: string | null } | null };
  const pct = withAssets.asset?.(asset)?.changePercent24Hr;
  return pct ? new D(pct) : null;
}

const usd = (v: Dec) => v.toDecimalPlaces(2, D.ROUND_HALF_UP).toFixed(2);

/** What a portfolio is valued from: the user's balances and positions (the prices are the feed's, in memory). */
export interface Holdings {
  balances: readonly { asset: string; available: string; locked: string }[];
  positions: ReadonlyMap<string, { qty: Dec; basis: Dec }>;
}
export type HoldingsReader = (db: Db, userId: string) => Promise<Holdings>;

export const loadHoldings: HoldingsReader = async (db, userId) => {
  const [balances, held] = await Promise.all([userBalances(db, userId), positionsOf(db, userId)]);
  return { balances, positions: new Map(held.map((p) => [p.asset, { qty: new D(p.qty), basis: new D(p.basis) }])) };
};

/**
 * Holdings kept per user under the user's `money` version, which every ledger posting (and so every fill) changes
 * after its commit: a portfolio read after a trade, on any machine, reads the database again.
 */
export function createHoldingsReader(cache: Cache): HoldingsReader {
  const kept = new VersionedCache<Holdings>(cache, MONEY, { maxEntries: 20_000, ttlMs: 30_000 });
  return (db, userId) => kept.read(userId, userId, () => loadHoldings(db, userId));
}

export async function getPortfolio(platform: Pick<Platform, 'database' | 'prices'>, userId: string, read: HoldingsReader = loadHoldings): Promise<Portfolio> {
  const { balances, positions: costs } = await read(platform.database.db, userId);
  let total = ZERO;
  let change = ZERO;
  const rows = balances
    .map((b) => ({ asset: b.asset, amount: new D(b.available).plus(b.locked) }))
    .filter((b) => b.amount.gt(0))
    .map((b) => {
      const price = usdPrice(platform.prices, b.asset);
      const value = price ? b.amount.times(price) : null;
      if (value) total = total.plus(value);
      const pct = b.asset === QUOTE_ASSET ? null : change24hPercent(platform.prices, b.asset);
      // value now − value 24 h ago, where price_24h_ago = price / (1 + pct/100)
      if (value && pct) change = change.plus(value.minus(value.div(pct.div(100).plus(1))));
      const pos = costs.get(b.asset);
      const avg = pos?.qty.gt(0) ? pos.basis.div(pos.qty) : null;
      const covered = pos ? D.min(pos.qty, b.amount) : ZERO;
      return {
        asset: b.asset,
        amount: b.amount.toFixed(),
        priceUsd: price ? price.toFixed() : null,
        value,
        averageCostUsd: avg ? avg.toDecimalPlaces(8, D.ROUND_HALF_UP).toFixed() : null,
        unrealizedPnlUsd: avg && price ? usd(price.minus(avg).times(covered)) : null,
      };
    });
  const holdings = rows
    .map(({ value, ...h }) => ({
      ...h,
      valueUsd: value ? usd(value) : null,
      allocation: value && total.gt(0) ? value.div(total).toDecimalPlaces(4, D.ROUND_HALF_UP).toFixed() : '0',
    }))
    .sort((a, b) => new D(b.valueUsd ?? 0).cmp(a.valueUsd ?? 0));
  return { totalUsd: usd(total), change24hUsd: usd(change), holdings };
}

export const isListedAsset = (symbol: string): boolean => symbol === QUOTE_ASSET || findAsset(symbol) !== undefined;
