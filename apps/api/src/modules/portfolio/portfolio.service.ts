import type { Portfolio } from '@cryptovault/contract';
import { findAsset, QUOTE_ASSET } from '../../platform/assets.ts';
import type { Platform } from '../../platform/index.ts';
import type { PriceReader } from '../../platform/prices.ts';
import { D, type Dec, usdPrice, userBalances, ZERO } from '../ledger/index.ts';
import { filledOrders } from '../trading/index.ts';

/** The market module's reader also knows each asset's 24 h change; other readers may not. */
function change24hPercent(prices: PriceReader, asset: string): Dec | null {
  const withAssets = prices as PriceReader & { asset?: (id: string) => { changePercent24Hr: string | null } | null };
  const pct = withAssets.asset?.(asset)?.changePercent24Hr;
  return pct ? new D(pct) : null;
}

/** Average-cost method over the user's fills (fees included in cost): sells reduce quantity at the running average. */
export function averageCosts(
  fills: { base: string; side: 'buy' | 'sell'; filled: string; cost: string; feeCost: string }[],
): Map<string, { qty: Dec; basis: Dec }> {
  const pos = new Map<string, { qty: Dec; basis: Dec }>();
  for (const f of fills) {
    const p = pos.get(f.base) ?? { qty: ZERO, basis: ZERO };
    const filled = new D(f.filled);
    if (f.side === 'buy') {
      p.qty = p.qty.plus(filled);
      p.basis = p.basis.plus(f.cost).plus(f.feeCost);
    } else if (p.qty.gt(0)) {
      const sold = D.min(filled, p.qty);
      p.basis = p.basis.minus(p.basis.times(sold).div(p.qty));
      p.qty = p.qty.minus(sold);
    }
    pos.set(f.base, p);
  }
  return pos;
}

const usd = (v: Dec) => v.toDecimalPlaces(2, D.ROUND_HALF_UP).toFixed(2);

export async function getPortfolio(platform: Pick<Platform, 'database' | 'prices'>, userId: string): Promise<Portfolio> {
  const db = platform.database.db;
  const [balances, fills] = await Promise.all([userBalances(db, userId), filledOrders(db, userId)]);
  const costs = averageCosts(fills);
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
