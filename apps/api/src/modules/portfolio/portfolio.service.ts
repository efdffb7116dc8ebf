import { type Portfolio, portfolioResponse } from '@cryptovault/contract';
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
/** `version`: the user's `money` version when the request already read it (VersionedCache.read's `known`). */
export type HoldingsReader = (db: Db, userId: string, version?: string | null) => Promise<Holdings>;

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
  return (db, userId, version) => kept.read(userId, userId, () => loadHoldings(db, userId), version);
}

export async function getPortfolio(platform: Pick<Platform, 'database' | 'prices'>, userId: string, read: HoldingsReader = loadHoldings): Promise<Portfolio> {
  return valuePortfolio(await read(platform.database.db, userId), platform.prices);
}

/**
 * GET /api/portfolio's body as JSON, for the route: the holdings under the user's `money` version (createHoldingsReader)
 * valued at the prices' current version, validated against the contract and serialised once per pair of versions
 * and kept with the holdings object (a new posting or a new tick makes the next request value again). Readers of
 * a price source without a version value on every request. docs/decisions/0004.
 */
export function createPortfolioJson(platform: Pick<Platform, 'database' | 'prices' | 'cache'>): (userId: string, version?: string | null) => Promise<string> {
  const holdings = createHoldingsReader(platform.cache);
  const valued = new WeakMap<Holdings, { priceVersion: number; json: string }>();
  return async (userId, version) => {
    const held = await holdings(platform.database.db, userId, version);
    const priceVersion = platform.prices.version;
    const kept = valued.get(held);
    if (kept && kept.priceVersion === priceVersion) return kept.json;
    const json = JSON.stringify(portfolioResponse.parse(valuePortfolio(held, platform.prices)));
    if (priceVersion !== undefined) valued.set(held, { priceVersion, json });
    return json;
  };
}

/** The portfolio of `held` at the current prices. */
export function valuePortfolio(held: Holdings, prices: PriceReader): Portfolio {
  const { balances, positions: costs } = held;
  let total = ZERO;
  let change = ZERO;
  const rows = balances
    .map((b) => ({ asset: b.asset, amount: new D(b.available).plus(b.locked) }))
    .filter((b) => b.amount.gt(0))
    .map((b) => {
      const price = usdPrice(prices, b.asset);
      const value = price ? b.amount.times(price) : null;
      if (value) total = total.plus(value);
      const pct = b.asset === QUOTE_ASSET ? null : change24hPercent(prices, b.asset);
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
